using MassTransit;
using Predictions.Contracts;

namespace Predictions.Gateway.Status;

/// <summary>Moves predictions to their terminal status as the result events arrive, and wakes their waiting clients.</summary>
public sealed class PredictionStatusConsumer(PredictionStatusStore store, PredictionWaiters waiters) :
    IConsumer<PredictionCompleted>,
    IConsumer<PredictionFailed>
{
    public async Task Consume(ConsumeContext<PredictionCompleted> context)
    {
        await store.CompleteAsync(context.Message, context.CancellationToken);
        waiters.Notify(context.Message.PredictionId);
    }

    public async Task Consume(ConsumeContext<PredictionFailed> context)
    {
        await store.FailAsync(context.Message, context.CancellationToken);
        waiters.Notify(context.Message.PredictionId);
    }
}
