using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Messaging.Outages;
using Predictions.Messaging.Requests;
using Predictions.Worker.Inference;
using Predictions.Worker.Pipeline;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// Before a request is computed, what the <see cref="InferenceJournal"/> knows of it. On the work queue, a request that
/// was in the model when a worker died (a suspect) is moved to <c>prediction-worker_suspect</c> with its body and
/// headers as received, then acknowledged here, so it is computed alone from there; the requests the dead worker had
/// merely prefetched beside it carry on as usual. On either queue, a prediction that was in the model each of
/// 1 + <c>WorkQueue:SuspectDeliveryLimit</c> times a worker died is set aside in <c>prediction-worker_poison</c>
/// uncomputed, whichever copy of it comes: at-least-once delivery may have made several, and the count is the
/// prediction's, so duplicates cannot crash the workers once more. A request an operator replays from the poison
/// queue carries the count it was set aside with (<see cref="Topology.CrashesHeader"/>), and gets as many tries again.
/// </summary>
public sealed class SuspectFilter(
    InferenceJournal journal, IOptions<WorkQueueOptions> workQueue, WorkerIdentity worker, ILogger<SuspectFilter> logger)
    : IFilter<ConsumeContext<PredictionRequest>>
{
    public async Task Send(ConsumeContext<PredictionRequest> context, IPipe<ConsumeContext<PredictionRequest>> next)
    {
        var id = context.PredictionId();
        var crashes = id is { } known ? journal.CrashesOf(known) : 0;
        var forgiven = context.ReceiveContext.TransportHeaders.Get<int>(Topology.CrashesHeader)
            ?? context.Headers.Get<int>(Topology.CrashesHeader)
            ?? 0;
        var started = Stopwatch.GetTimestamp();
        if (crashes > forgiven + workQueue.Value.SuspectDeliveryLimit)
        {
            await context.SendCopyAsync(Topology.PoisonQueue, headers =>
            {
                headers.Set(Topology.PoisonedHeader,
                    $"in the model each of the {crashes} times a worker died; set aside uncomputed by {worker.Name}");
                headers.Set(Topology.CrashesHeader, crashes);
            });
            logger.LogError(
                "Prediction {PredictionId} was in the model each of the {Crashes} times a worker died: set aside in {PoisonQueue}, uncomputed",
                id, crashes, Topology.PoisonQueue);
        }
        else if (crashes > 0 && context.ReceiveContext.QueueName() == Topology.WorkQueue)
        {
            await context.SendCopyAsync(Topology.SuspectQueue,
                headers => headers.Set(Topology.SuspectHeader, $"in the model when a worker died; moved by {worker.Name}"));
            logger.LogWarning("Prediction {PredictionId} was in the model when a worker died: moved to {SuspectQueue}", id, Topology.SuspectQueue);
        }
        else
        {
            await next.Send(context);
            return;
        }

        // Handled: acknowledge it here, rather than MassTransit's moving an unconsumed message to _skipped.
        await context.NotifyConsumed(context, Stopwatch.GetElapsedTime(started), nameof(SuspectFilter));
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("suspect");
}
