using MassTransit;
using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Messaging.Outages;
using Predictions.Worker.Lanes;

namespace Predictions.Worker.Pipeline;

/// <summary>
/// The outcome events a worker publishes for a request, for every consumer that publishes one. What all outcomes
/// carry comes from the request, the worker and the stages that ran, and is filled in here only.
/// </summary>
public static class PredictionOutcomes
{
    /// <summary>
    /// Publishes <paramref name="outcome"/> for the request being consumed, confirmed by the broker, with the request's
    /// owner (<see cref="Topology.OwnerHeader"/>) when it has one, so the gateway stores the outcome as that key's alone.
    /// </summary>
    public static Task PublishOutcomeAsync<T>(this ConsumeContext<PredictionRequest> context, T outcome)
        where T : PredictionOutcome
    {
        var owner = context.Header(Topology.OwnerHeader);
        return owner is null
            ? context.PublishCancellableAsync(outcome, context.CancellationToken)
            : context.PublishCancellableAsync(outcome, publish => publish.Headers.Set(Topology.OwnerHeader, owner), context.CancellationToken);
    }

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

    public static PredictionFailed Failed(
        this PredictionRequest request,
        WorkerIdentity worker,
        PredictionTimings timings,
        DateTimeOffset failedAt,
        string error,
        ModelIdentity? model)
        => new()
        {
            PredictionId = request.PredictionId,
            ItemId = request.ItemId,
            FeatureValue = request.FeatureValue,
            SubmittedAt = request.SubmittedAt,
            Worker = worker.Name,
            Timings = timings,
            Model = model,
            Error = error,
            FailedAt = failedAt,
        };

    /// <summary>The request's deadline passed before inference started; only a request with a deadline expires.</summary>
    public static PredictionExpired Expired(
        this PredictionRequest request, WorkerIdentity worker, PredictionTimings timings, DateTimeOffset expiredAt, ModelIdentity model)
        => new()
        {
            PredictionId = request.PredictionId,
            ItemId = request.ItemId,
            FeatureValue = request.FeatureValue,
            SubmittedAt = request.SubmittedAt,
            Worker = worker.Name,
            Timings = timings,
            Model = model,
            Deadline = request.Deadline!.Value,
            ExpiredAt = expiredAt,
        };
}
