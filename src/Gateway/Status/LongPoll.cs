using Microsoft.Extensions.Options;
using Predictions.Gateway.Telemetry;
using Predictions.Storage.Hosting;

namespace Predictions.Gateway.Status;

/// <summary>
/// Answers "tell me when it is done": waits for a prediction's outcome without holding a thread, through an outage
/// of the store as well (<see cref="StoreOutages.IsStoreUnavailable"/>) as long as the wait lasts.
/// </summary>
public sealed class LongPoll(
    PredictionStatusStore store, PredictionWaiters waiters, GatewayMetrics metrics, TimeProvider clock, IOptions<LongPollOptions> options)
{
    // Outcomes consumed by another gateway sharing the store wake nobody here: look again this often.
    private readonly TimeSpan _recheck = options.Value.LongPollRecheck;

    /// <summary>
    /// The prediction once it is no longer queued, or as it stands when <paramref name="wait"/> ends; null at
    /// once when it is unknown or not <paramref name="reader"/>'s to see (<see cref="PredictionStatusStore.FindAsync"/>).
    /// </summary>
    public async Task<PredictionRecord?> WaitForOutcomeAsync(Guid id, string? reader, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + wait;
        using var waiting = metrics.Waiting();
        while (true)
        {
            // Listen first, then read: an outcome landing in between still wakes us.
            using var registration = waiters.Register(id);
            var left = deadline - clock.GetUtcNow();
            PredictionRecord? record;
            try
            {
                record = await store.FindAsync(id, reader, cancellationToken);
            }
            catch (Exception ex) when (left > TimeSpan.Zero && StoreOutages.IsStoreUnavailable(ex))
            {
                // The client asked to wait, so it waits out the store's outage too; only a wait that ends with the
                // store still down fails (503). A wake-up is read again, since who may see it is not known yet.
                await registration.WaitAsync(left < _recheck ? left : _recheck, cancellationToken);
                continue;
            }

            left = deadline - clock.GetUtcNow();
            if (record is null || record.Status != PredictionStatus.Queued || left <= TimeSpan.Zero)
            {
                return record;
            }

            // The outcome comes with the wake-up; only the recheck reads the store again.
            if (await registration.WaitAsync(left < _recheck ? left : _recheck, cancellationToken) is { } outcome)
            {
                return outcome;
            }
        }
    }
}
