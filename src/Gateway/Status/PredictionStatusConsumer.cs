using MassTransit;
using Predictions.Contracts;

namespace Predictions.Gateway.Status;

/// <summary>Moves predictions to their terminal status as the result events arrive.</summary>
public sealed class PredictionStatusConsumer(PredictionStatusStore store) :
    IConsumer<PredictionCompleted>,
    IConsumer<PredictionFailed>
{
    public Task Consume(ConsumeContext<PredictionCompleted> context) =>
        store.CompleteAsync(context.Message, context.CancellationToken);

    public Task Consume(ConsumeContext<PredictionFailed> context) =>
        store.FailAsync(context.Message, context.CancellationToken);
}
