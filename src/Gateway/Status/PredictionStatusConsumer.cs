using MassTransit;
using Predictions.Contracts;
using Predictions.Gateway.Backpressure;
using Predictions.Messaging;
using Predictions.Messaging.Outages;
using Predictions.Messaging.Tracing;
using Predictions.Storage.Hosting;

namespace Predictions.Gateway.Status;

/// <summary>
/// Moves predictions to their terminal status as the result events arrive, in batches so one disk flush
/// covers many, wakes the clients waiting for them, and counts them to measure how fast the work queue drains.
/// An outage of the store is waited out (<see cref="OutageWait"/>).
/// </summary>
public sealed class PredictionStatusConsumer(
    PredictionStatusStore store, PredictionWaiters waiters, DrainRate drain, OutageWait outageWait, TimeProvider clock,
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
        IReadOnlyList<PredictionRecord> stored;
        try
        {
            stored = await outageWait.RunAsync(
                token => store.AddOutcomesAsync(
                    context.Message.Select(m => ((PredictionOutcome)m.Message, m.Headers.Get<string>(Topology.OwnerHeader))), token),
                StoreOutages.IsStoreUnavailable,
                start,
                context.CancellationToken);
        }
        catch (OutageOutlastedException ex)
        {
            await context.ReturnToQueueAsync(ex, logger);
            return;
        }

        MessageTrace.RecordBatch("status.write", context.Message, start, clock.GetUtcNow());
        waiters.Notify(stored);
        drain.Record(context.Message.Length);
    }
}
