using Predictions.Contracts;
using Predictions.ServiceDefaults.Telemetry;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Inference;

/// <summary>The pool's stages of one prediction as spans, under the span of its consume.</summary>
public static class InferenceTracing
{
    /// <summary>The wait for a pool thread, for the batch to fill, and the model call, as they happened.</summary>
    public static void Record(Guid predictionId, InferenceOutcome outcome, ModelIdentity model)
    {
        PredictionTracing.Record("pool_wait", predictionId, outcome.QueuedAt, outcome.TakenAt);
        PredictionTracing.Record("batch_wait", predictionId, outcome.TakenAt, outcome.StartedAt);
        PredictionTracing.Record("inference", predictionId, outcome.StartedAt, outcome.CompletedAt)?
            .SetTag(WorkerTracing.BatchSizeTag, outcome.BatchSize)
            .SetTag(WorkerTracing.ModelNameTag, model.Name)
            .SetTag(WorkerTracing.ModelVersionTag, model.Version);
    }
}
