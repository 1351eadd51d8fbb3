using MassTransit;
using Predictions.Contracts;
using Predictions.Worker.Inference;
using Predictions.Worker.Metadata;

namespace Predictions.Worker.Pipeline;

/// <summary>
/// One prediction: await the item's metadata (I/O, no thread held), run the model on the bounded
/// inference pool, publish the outcome. A failure that asking again cannot fix (unknown item, a model
/// that rejects the input) becomes <see cref="PredictionFailed"/>; anything else is retried.
/// </summary>
public sealed class PredictionRequestConsumer(
    IMetadataSource metadataSource,
    InferencePool pool,
    WorkerIdentity worker,
    TimeProvider clock,
    ILogger<PredictionRequestConsumer> logger) : IConsumer<PredictionRequest>
{
    public async Task Consume(ConsumeContext<PredictionRequest> context)
    {
        var request = context.Message;
        var cancellationToken = context.CancellationToken;
        var timings = new PredictionTimings { ReceivedAt = clock.GetUtcNow() };

        IReadOnlyDictionary<string, double> metadata;
        timings = timings with { MetadataStartedAt = clock.GetUtcNow() };
        try
        {
            metadata = await metadataSource.GetAsync(request.ItemId, cancellationToken);
        }
        catch (UnknownItemException ex)
        {
            await PublishFailedAsync(context, ex.Message, timings with { MetadataCompletedAt = clock.GetUtcNow() });
            return;
        }

        timings = timings with { MetadataCompletedAt = clock.GetUtcNow() };

        InferenceOutcome outcome;
        try
        {
            outcome = await pool.PredictAsync(new ModelInput(request.FeatureValue, metadata), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Model rejected prediction {PredictionId}", request.PredictionId);
            await PublishFailedAsync(context, $"inference failed: {ex.Message}", timings);
            return;
        }

        timings = timings with
        {
            InferenceQueuedAt = outcome.QueuedAt,
            InferenceStartedAt = outcome.StartedAt,
            InferenceCompletedAt = outcome.CompletedAt,
        };

        await context.Publish(new PredictionCompleted
        {
            PredictionId = request.PredictionId,
            ItemId = request.ItemId,
            FeatureValue = request.FeatureValue,
            Metadata = metadata,
            Prediction = outcome.Prediction,
            SubmittedAt = request.SubmittedAt,
            CompletedAt = clock.GetUtcNow(),
            Worker = worker.Name,
            Timings = timings,
        }, cancellationToken);
    }

    private Task PublishFailedAsync(ConsumeContext<PredictionRequest> context, string error, PredictionTimings timings)
    {
        var request = context.Message;
        logger.LogInformation("Prediction {PredictionId} failed: {Error}", request.PredictionId, error);
        return context.Publish(new PredictionFailed
        {
            PredictionId = request.PredictionId,
            ItemId = request.ItemId,
            FeatureValue = request.FeatureValue,
            Error = error,
            SubmittedAt = request.SubmittedAt,
            FailedAt = clock.GetUtcNow(),
            Worker = worker.Name,
            Timings = timings,
        }, context.CancellationToken);
    }
}
