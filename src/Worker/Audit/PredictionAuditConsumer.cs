using MassTransit;
using Predictions.Contracts;

namespace Predictions.Worker.Audit;

/// <summary>
/// Persists every outcome, on its own queue so auditing never slows predictions down, in batches so
/// one disk flush covers many rows.
/// </summary>
public sealed class PredictionAuditConsumer(AuditStore store, ILogger<PredictionAuditConsumer> logger) :
    IConsumer<Batch<PredictionCompleted>>,
    IConsumer<Batch<PredictionFailed>>,
    IConsumer<Batch<PredictionExpired>>
{
    public Task Consume(ConsumeContext<Batch<PredictionCompleted>> context) => AuditAsync(context);

    public Task Consume(ConsumeContext<Batch<PredictionFailed>> context) => AuditAsync(context);

    public Task Consume(ConsumeContext<Batch<PredictionExpired>> context) => AuditAsync(context);

    private async Task AuditAsync<T>(ConsumeContext<Batch<T>> context)
        where T : PredictionOutcome
    {
        foreach (var predictionId in await store.AddAsync(context.Message.Select(m => m.Message), context.CancellationToken))
        {
            logger.LogInformation("Prediction {PredictionId} was already audited; duplicate delivery ignored", predictionId);
        }
    }
}
