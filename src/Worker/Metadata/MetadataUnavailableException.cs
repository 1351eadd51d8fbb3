namespace Predictions.Worker.Metadata;

/// <summary>
/// The metadata source cannot answer now (down, failing, too slow, or its circuit is open). Not the
/// request's fault: the request waits and is tried again for as long as the outage lasts.
/// </summary>
public sealed class MetadataUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);
