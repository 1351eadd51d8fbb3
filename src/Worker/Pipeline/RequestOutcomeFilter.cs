using MassTransit;
using Predictions.Contracts;
using Predictions.Messaging.Outages;
using Predictions.Messaging.Requests;
using Predictions.Worker.Lanes;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Pipeline;

/// <summary>
/// Publishes <see cref="PredictionFailed"/> for a request that fails once its retries are spent, whatever the reason, so it ends
/// with one outcome; one whose failure cannot be published goes back to the broker unacknowledged instead of vanishing.
/// </summary>
public sealed class RequestOutcomeFilter(
    WorkerIdentity worker, ServedLanes lanes, WorkerMetrics metrics, TimeProvider clock, ILogger<RequestOutcomeFilter> logger)
    : IFilter<ConsumeContext<PredictionRequest>>
{
    public async Task Send(ConsumeContext<PredictionRequest> context, IPipe<ConsumeContext<PredictionRequest>> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (OutageReturnRefusedException ex)
        {
            // Cancelled, the delivery goes back to the broker unacknowledged, counted as a return: never the error queue.
            throw new OperationCanceledException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or InvalidPredictionRequestException)
            && context.PredictionId() is { } predictionId)
        {
            var now = clock.GetUtcNow();
            var reason = $"the worker could not compute it ({ex.GetType().Name}: {ex.Message}); "
                + $"it was set aside in {context.ReceiveContext.QueueName()}_error for an operator";
            var model = lanes.Choose(context.Message, context.ReceiveContext.QueueName()).Model;
            var failed = (context.Message with { PredictionId = predictionId })
                .Failed(worker, new PredictionTimings { ReceivedAt = now }, now, reason, model);
            try
            {
                await context.PublishOutcomeAsync(failed);
            }
            catch (Exception publish) when (!context.CancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(
                    $"Prediction {predictionId} failed and its failure could not be published; it goes back to its queue: {publish.Message}",
                    publish);
            }

            logger.LogError(
                ex, "Prediction {PredictionId} failed after its retries; published as failed and moved to the error queue", predictionId);
            metrics.Outcome("failed", model);
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("request-outcome");
}
