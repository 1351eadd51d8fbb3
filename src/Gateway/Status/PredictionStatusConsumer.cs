using MassTransit;
using Predictions.Contracts;
using Predictions.Gateway.Backpressure;
using Predictions.Gateway.Rollouts;
using Predictions.Messaging;
using Predictions.Messaging.Outages;
using Predictions.Messaging.Rollouts;
using Predictions.Messaging.Tracing;
using Predictions.Storage.Hosting;

namespace Predictions.Gateway.Status;

/// <summary>
/// Moves predictions to their terminal status as the result events arrive, in batches so one disk flush
/// covers many, wakes the clients waiting for them, and counts them to measure how fast the work queue drains.
/// A shadow copy's outcome is acknowledged and counted, but neither stored nor handed to a waiter: no caller ever
/// sees it (the audit keeps it). An outage of the store is waited out (<see cref="OutageWait"/>).
/// </summary>
public sealed class PredictionStatusConsumer(
    PredictionStatusStore store, PredictionWaiters waiters, VersionStatistics statistics, DrainRate drain, OutageWait outageWait, TimeProvider clock,
    ILogger<PredictionStatusConsumer> logger) :
    IConsumer<Batch<PredictionCompleted>>,
    IConsumer<Batch<PredictionFailed>>,
    IConsumer<Batch<PredictionExpired>>
{
    public Task Consume(ConsumeContext<Batch<PredictionCompleted>> context) => RecordAsync(context);

    public Task Consume(ConsumeContext<Batch<PredictionFailed>> context) => RecordAsync(context);

    public Task Consume(ConsumeContext<Batch<PredictionExpired>> context) => RecordAsync(context);

    private async Task RecordAsync<T>(ConsumeContext<Batch<T>> context)
        where T : PredictionOutcome
    {
        var start = clock.GetUtcNow();
        var answered = context.Message
            .Where(m => !IsShadow(m.Message))
            .Select(m => ((PredictionOutcome)m.Message, m.Headers.Get<string>(Topology.OwnerHeader)))
            .ToList();
        IReadOnlyList<PredictionRecord> stored = [];
        try
        {
            if (answered.Count > 0)
            {
                stored = await outageWait.RunAsync(
                    token => store.AddOutcomesAsync(answered, token), StoreOutages.IsStoreUnavailable, start, context.CancellationToken);
            }
        }
        catch (OutageOutlastedException ex)
        {
            await context.ReturnToQueueAsync(ex, logger);
            return;
        }

        // The canary guard's figures: every outcome this gateway hears, shadows' included.
        foreach (var outcome in context.Message)
        {
            statistics.Record(outcome.Message);
        }

        MessageTrace.RecordBatch("status.write", context.Message, start, clock.GetUtcNow());
        waiters.Notify(stored);

        // A shadow copy is a request the workers took off a queue like any other, so it counts towards how fast they drain.
        drain.Record(context.Message.Length);
    }

    /// <summary>A shadow copy's outcome: its prediction id is the copy's own, which no caller was ever given.</summary>
    internal static bool IsShadow(PredictionOutcome outcome) => outcome.ShadowOf is not null || outcome.Route == RouteReasons.Shadow;
}
