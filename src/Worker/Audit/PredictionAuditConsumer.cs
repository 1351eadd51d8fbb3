using MassTransit;
using Predictions.Contracts;

namespace Predictions.Worker.Audit;

/// <summary>Persists every outcome, on its own queue, so auditing never slows predictions down.</summary>
public sealed class PredictionAuditConsumer(AuditStore store, ILogger<PredictionAuditConsumer> logger) :
    IConsumer<PredictionCompleted>,
    IConsumer<PredictionFailed>
{
    public async Task Consume(ConsumeContext<PredictionCompleted> context)
    {
        if (!await store.AddAsync(context.Message, context.CancellationToken))
        {
            logger.LogDebug("Prediction {PredictionId} was already audited", context.Message.PredictionId);
        }
    }

    public async Task Consume(ConsumeContext<PredictionFailed> context)
    {
        if (!await store.AddAsync(context.Message, context.CancellationToken))
        {
            logger.LogDebug("Prediction {PredictionId} was already audited", context.Message.PredictionId);
        }
    }
}
