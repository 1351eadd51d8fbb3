using Microsoft.Extensions.Options;
using Predictions.Gateway.Api;
using Predictions.Gateway.Telemetry;

namespace Predictions.Gateway.Status;

/// <summary>Answers "tell me when it is done": waits for a prediction's outcome without holding a thread.</summary>
public sealed class LongPoll(PredictionStatusStore store, PredictionWaiters waiters, GatewayMetrics metrics, TimeProvider clock, IOptions<GatewayOptions> options)
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
            var record = await store.FindAsync(id, reader, cancellationToken);
            var left = deadline - clock.GetUtcNow();
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
