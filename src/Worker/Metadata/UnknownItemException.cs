namespace Predictions.Worker.Metadata;

/// <summary>The metadata source does not know the item: a permanent failure, not a reason to retry.</summary>
public sealed class UnknownItemException(long itemId)
    : ItemMetadataException($"unknown item {itemId}: the metadata source has no such item");
