namespace Predictions.Worker.Metadata;

/// <summary>
/// This item's metadata cannot be had, and asking again will not help: its prediction fails at once, with this
/// message as the reason, and the worker goes on with the others.
/// </summary>
public abstract class ItemMetadataException(string message, Exception? innerException = null) : Exception(message, innerException);
