using MassTransit;
using Predictions.Contracts;

namespace Predictions.Gateway.Status;

/// <summary>
/// Moves predictions to their terminal status as the result events arrive, in batches so one disk flush
/// covers many, and wakes the clients waiting for them.
/// </summary>
public sealed class PredictionStatusConsumer(PredictionStatusStore store, PredictionWaiters waiters) :
    IConsumer<Batch<PredictionCompleted>>,
    IConsumer<Batch<PredictionFailed>>
{
    public async Task Consume(ConsumeContext<Batch<PredictionCompleted>> context)
    {
        waiters.Notify(await store.CompleteAsync(context.Message.Select(m => m.Message), context.CancellationToken));
    }

    public async Task Consume(ConsumeContext<Batch<PredictionFailed>> context)
    {
        waiters.Notify(await store.FailAsync(context.Message.Select(m => m.Message), context.CancellationToken));
    }
}
