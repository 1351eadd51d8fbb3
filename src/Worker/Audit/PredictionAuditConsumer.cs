using MassTransit;
using Predictions.Contracts;
using Predictions.Messaging.Outages;
using Predictions.Messaging.Tracing;
using Predictions.Storage.Hosting;

namespace Predictions.Worker.Audit;

/// <summary>
/// Persists every outcome, on its own queue so auditing never slows predictions down, in batches so
/// one disk flush covers many rows. Shadow copies' outcomes too: callers never see them, so this is their only record.
/// An outage of the store is waited out (<see cref="OutageWait"/>).
/// </summary>
public sealed class PredictionAuditConsumer(AuditStore store, OutageWait outageWait, TimeProvider clock, ILogger<PredictionAuditConsumer> logger) :
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
        var start = clock.GetUtcNow();
        IReadOnlyList<Guid> duplicates;
        try
        {
            duplicates = await outageWait.RunAsync(
                token => store.AddAsync(context.Message.Select(m => m.Message), token),
                StoreOutages.IsStoreUnavailable, start, context.CancellationToken);
        }
        catch (OutageOutlastedException ex)
        {
            await context.ReturnToQueueAsync(ex, logger);
            return;
        }

        MessageTrace.RecordBatch("audit.write", context.Message, start, clock.GetUtcNow());
        foreach (var predictionId in duplicates)
        {
            logger.LogInformation(
                "Prediction {PredictionId} was already audited with an outcome that stands; this delivery changed nothing", predictionId);
        }
    }
}
