namespace Predictions.Worker.Metadata;

/// <summary>
/// The metadata source cannot answer now (down, failing, too slow, or its circuit is open). Not the request's fault
/// as long as the source is down as a whole: the request waits and is tried again. <paramref name="serviceAnsweredAt"/>
/// is when the source last had an answer from the service for any item (null when it cannot tell): a service that
/// answers others while it keeps failing one item points at the item (<see cref="ItemMetadataFailingException"/>).
/// <paramref name="circuitOpen"/>: the source did not even ask, because the service failed too often lately.
/// </summary>
public sealed class MetadataUnavailableException(
    string message, Exception? innerException = null, DateTimeOffset? serviceAnsweredAt = null, bool circuitOpen = false)
    : Exception(message, innerException)
{
    public DateTimeOffset? ServiceAnsweredAt { get; } = serviceAnsweredAt;

    public bool CircuitOpen { get; } = circuitOpen;
}
