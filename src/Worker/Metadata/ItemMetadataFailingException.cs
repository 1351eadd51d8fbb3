namespace Predictions.Worker.Metadata;

/// <summary>
/// The metadata source kept failing for this item for <c>Metadata:ItemFailureBudget</c> while it answered other
/// items: the fault is the item's (a bad row on the service's side, say), not an outage.
/// </summary>
public sealed class ItemMetadataFailingException(long itemId, TimeSpan failingFor, Exception lastFailure)
    : ItemMetadataException(
        $"the metadata service kept failing for item {itemId} for {failingFor.TotalSeconds:0} s while it answered other items; "
        + $"the last failure: {lastFailure.Message}",
        lastFailure);
