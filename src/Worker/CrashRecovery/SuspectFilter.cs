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
/// Acts on what the <see cref="InferenceJournal"/> knows before a request is computed: a suspect moves to the suspect queue to be
/// computed alone; a prediction counted as often as allowed is set aside uncomputed, whichever copy of it comes.
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
