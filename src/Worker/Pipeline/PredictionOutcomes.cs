using Predictions.Contracts;

namespace Predictions.Worker.Pipeline;

/// <summary>
/// The outcome events a worker publishes for a request, for every consumer that publishes one. What all outcomes
/// carry comes from the request, the worker and the stages that ran, and is filled in here only.
/// </summary>
public static class PredictionOutcomes
{
    public static PredictionCompleted Completed(
        this PredictionRequest request,
        WorkerIdentity worker,
        PredictionTimings timings,
        DateTimeOffset completedAt,
        IReadOnlyDictionary<string, double> metadata,
        double prediction,
        ModelIdentity model) => new()
        {
            PredictionId = request.PredictionId,
            ItemId = request.ItemId,
            FeatureValue = request.FeatureValue,
            SubmittedAt = request.SubmittedAt,
            Worker = worker.Name,
            Timings = timings,
            Metadata = metadata,
            Prediction = prediction,
            Model = model,
            CompletedAt = completedAt,
        };

    public static PredictionFailed Failed(this PredictionRequest request, WorkerIdentity worker, PredictionTimings timings, DateTimeOffset failedAt, string error) => new()
    {
        PredictionId = request.PredictionId,
        ItemId = request.ItemId,
        FeatureValue = request.FeatureValue,
        SubmittedAt = request.SubmittedAt,
        Worker = worker.Name,
        Timings = timings,
        Error = error,
        FailedAt = failedAt,
    };

    /// <summary>The request's deadline passed before inference started; only a request with a deadline expires.</summary>
    public static PredictionExpired Expired(this PredictionRequest request, WorkerIdentity worker, PredictionTimings timings, DateTimeOffset expiredAt) => new()
    {
        PredictionId = request.PredictionId,
        ItemId = request.ItemId,
        FeatureValue = request.FeatureValue,
        SubmittedAt = request.SubmittedAt,
        Worker = worker.Name,
        Timings = timings,
        Deadline = request.Deadline!.Value,
        ExpiredAt = expiredAt,
    };
}
