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
    public async Task Consume(ConsumeContext<Batch<PredictionCompleted>> context) =>
        NoteDuplicates(await store.AddAsync(context.Message.Select(m => m.Message), context.CancellationToken));

    public async Task Consume(ConsumeContext<Batch<PredictionFailed>> context) =>
        NoteDuplicates(await store.AddAsync(context.Message.Select(m => m.Message), context.CancellationToken));

    public async Task Consume(ConsumeContext<Batch<PredictionExpired>> context) =>
        NoteDuplicates(await store.AddAsync(context.Message.Select(m => m.Message), context.CancellationToken));

    private void NoteDuplicates(IReadOnlyList<Guid> duplicates)
    {
        foreach (var predictionId in duplicates)
        {
            logger.LogInformation("Prediction {PredictionId} was already audited; duplicate delivery ignored", predictionId);
        }
    }
}
