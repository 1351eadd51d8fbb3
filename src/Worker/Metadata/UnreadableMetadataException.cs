namespace Predictions.Worker.Metadata;

/// <summary>
/// The source answered for the item, but with a value no model input can hold (a number beyond a double's range, or
/// not a number): asking again would get the same answer.
/// </summary>
public sealed class UnreadableMetadataException(long itemId, string feature, string value)
    : ItemMetadataException($"the metadata of item {itemId} is unreadable: '{feature}' is {value}, which is not a finite number");
