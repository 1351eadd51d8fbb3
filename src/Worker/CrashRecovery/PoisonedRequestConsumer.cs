using MassTransit;
using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Messaging.Outcomes;
using Predictions.Messaging.Requests;
using Predictions.Worker.Lanes;
using Predictions.Worker.Pipeline;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// Gives a request that RabbitMQ dead-lettered to <c>prediction-worker_poison</c> its outcome, so its client
/// is not left polling a prediction that stays queued: <see cref="PredictionFailed"/> with the reason, and
/// with it a status and an audit row like any other. Nothing is computed; the original stays in the poison
/// queue for an operator. A replay that later completes replaces this failure in the status and the audit alike
/// (<see cref="OutcomePrecedence"/>).
/// </summary>
public sealed class PoisonedRequestConsumer(
    WorkerIdentity worker,
    ServedLanes lanes,
    WorkerMetrics metrics,
    TimeProvider clock,
    ILogger<PoisonedRequestConsumer> logger) : IConsumer<PredictionRequest>
{
    public const string Reason =
        $"the request crashed the worker process each time it was computed; it was set aside in {Topology.PoisonQueue} for an operator";

    public async Task Consume(ConsumeContext<PredictionRequest> context)
    {
        var request = context.Message with
        {
            PredictionId = context.PredictionId() ?? throw new InvalidPredictionRequestException(InvalidPredictionRequestException.NoPredictionId),
        };
        var now = clock.GetUtcNow();
        logger.LogError(
            "Prediction {PredictionId} crashed the worker each time it was computed; failed and set aside in {PoisonQueue}",
            request.PredictionId, Topology.PoisonQueue);
        var model = lanes.Choose(request, queue: null).Model;
        await context.PublishOutcomeAsync(request.Failed(worker, new PredictionTimings { ReceivedAt = now }, now, Reason, model));
        metrics.Outcome("failed", model);
    }
}
