using Microsoft.Extensions.Options;
using Predictions.Messaging.Outages;

namespace Predictions.Worker.Metadata;

/// <summary>
/// Awaits an item's metadata through the source's failures. While the service is down as a whole (it answers no one)
/// the request waits, trying again with back-off, for up to <c>Outages:MaxWait</c> after it was received, and then
/// goes back to its queue (<see cref="OutageOutlastedException"/>) to wait again later. While the service answers
/// other items (it did within <see cref="UpWindow"/> of each failure, and its circuit is closed) and keeps failing this
/// one, the fault is the item's: after <c>Metadata:ItemFailureBudget</c> (at once, for an item already judged so:
/// <see cref="FailingItems"/>) the request fails (<see cref="ItemMetadataFailingException"/>).
/// </summary>
public sealed class MetadataWait(
    IMetadataSource source,
    FailingItems failingItems,
    OutageWait outageWait,
    IOptions<MetadataOptions> metadata,
    TimeProvider clock,
    ILogger<MetadataWait> logger)
{
    /// <summary>How recent an answer to another item must be for a failure to count against the item.</summary>
    public static readonly TimeSpan UpWindow = TimeSpan.FromSeconds(15);

    private readonly TimeSpan _budget = metadata.Value.ItemFailureBudget;

    /// <exception cref="ItemMetadataException">The item's metadata cannot be had: fail the request.</exception>
    /// <exception cref="OutageOutlastedException">The service stayed down for as long as one delivery may wait.</exception>
    public async Task<IReadOnlyDictionary<string, double>> GetAsync(long itemId, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        DateTimeOffset? itemFailingSince = null;
        for (var retry = 0; ; retry++)
        {
            try
            {
                var answer = await source.GetAsync(itemId, cancellationToken);
                failingItems.Answered(itemId);
                return answer;
            }
            catch (MetadataUnavailableException ex)
            {
                var now = clock.GetUtcNow();
                var serviceUp = !ex.CircuitOpen && ex.ServiceAnsweredAt >= now - UpWindow;
                itemFailingSince = serviceUp ? itemFailingSince ?? failingItems.Since(itemId) ?? now : null;
                if (itemFailingSince is { } since && now - since >= _budget)
                {
                    failingItems.Judged(itemId, since);
                    throw new ItemMetadataFailingException(itemId, now - since, ex);
                }

                logger.LogDebug("Metadata of item {ItemId} unavailable, trying again (retry {Retry}): {Reason}", itemId, retry + 1, ex.Message);
                await outageWait.PauseAsync(retry, receivedAt, ex, cancellationToken);
            }
        }
    }
}
