using MassTransit;
using Predictions.Contracts;

namespace Predictions.Worker.Audit;

/// <summary>Persists every outcome, on its own queue, so auditing never slows predictions down.</summary>
public sealed class PredictionAuditConsumer(AuditStore store, ILogger<PredictionAuditConsumer> logger) :
    IConsumer<PredictionCompleted>,
    IConsumer<PredictionFailed>
{
    public async Task Consume(ConsumeContext<PredictionCompleted> context) =>
        NoteDuplicate(await store.AddAsync(context.Message, context.CancellationToken), context.Message.PredictionId);

    public async Task Consume(ConsumeContext<PredictionFailed> context) =>
        NoteDuplicate(await store.AddAsync(context.Message, context.CancellationToken), context.Message.PredictionId);

    private void NoteDuplicate(bool written, Guid predictionId)
    {
        if (!written)
        {
            logger.LogInformation("Prediction {PredictionId} was already audited; duplicate delivery ignored", predictionId);
        }
    }
}
