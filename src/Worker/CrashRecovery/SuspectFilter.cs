using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Messaging.Outages;
using Predictions.Messaging.Requests;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// Before a request is computed, acts on what the <see cref="InferenceJournal"/> knows of it and on how often the broker
/// handed it out: a suspect, or a request returned more than <c>WorkQueue:DeliveryLimit</c> times, moves to the suspect
/// queue to be computed alone; one counted as often as allowed is set aside uncomputed, whichever copy of it comes.
/// </summary>
public sealed class SuspectFilter(
    InferenceJournal journal, ServedLanes lanes, IOptions<WorkQueueOptions> workQueue, WorkerIdentity worker, ILogger<SuspectFilter> logger)
    : IFilter<ConsumeContext<PredictionRequest>>
{
    public async Task Send(ConsumeContext<PredictionRequest> context, IPipe<ConsumeContext<PredictionRequest>> next)
    {
        var id = context.PredictionId();
        var crashes = id is { } known ? journal.CrashesOf(known) : 0;
        var forgiven = context.ReceiveContext.TransportHeaders.Get<int>(Topology.CrashesHeader)
            ?? context.Headers.Get<int>(Topology.CrashesHeader)
            ?? 0;
        var queue = context.ReceiveContext.QueueName();
        var returns = ReturnsTo(queue, context.ReceiveContext);
        var limits = workQueue.Value;
        var started = Stopwatch.GetTimestamp();
        if (crashes > forgiven + limits.SuspectDeliveryLimit)
        {
            await SetAsideAsync(context, $"in the model each of the {crashes} times a worker died", crashes);
        }
        else if (lanes.IsSuspectQueue(queue) && returns > limits.SuspectDeliveryLimit)
        {
            // The larger count, so that a replay carrying it is forgiven what the journal counted too.
            await SetAsideAsync(context, $"returned {returns} times to {queue}", Math.Max(crashes, returns));
        }
        else if (lanes.ForQueue(queue) is { } lane && queue == lane.Queue && (crashes > 0 || returns > limits.DeliveryLimit))
        {
            await MoveAsync(context, lane.SuspectQueue, crashes > 0 ? "in the model when a worker died" : $"returned {returns} times to {queue}");
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

    /// <summary>
    /// Times the broker returned the request to <paramref name="queue"/>. A request RabbitMQ dead-lettered to the suspect
    /// queue may bring the work queue's count; the broker counted those returns, so its limit there bounds it.
    /// </summary>
    private int ReturnsTo(string queue, ReceiveContext received) =>
        lanes.ForQueue(queue) is { } lane && queue == lane.SuspectQueue
        && BrokerCounts.LastDeadLetteredFrom(received, lane.Queue)
        && !received.TransportHeaders.TryGetHeader(Topology.SuspectHeader, out _)
            ? 0
            : BrokerCounts.AcquiredBefore(received);

    private async Task SetAsideAsync(ConsumeContext<PredictionRequest> context, string reason, int crashes)
    {
        await context.SendCopyAsync(Topology.PoisonQueue, headers =>
        {
            BrokerCounts.LeaveOff(headers);
            headers.Set(Topology.PoisonedHeader, $"{reason}; set aside uncomputed by {worker.Name}");
            headers.Set(Topology.CrashesHeader, crashes);
        });
        logger.LogError(
            "Prediction {PredictionId} set aside in {PoisonQueue}, uncomputed: {Reason}", context.PredictionId(), Topology.PoisonQueue, reason);
    }

    private async Task MoveAsync(ConsumeContext<PredictionRequest> context, string suspectQueue, string reason)
    {
        await context.SendCopyAsync(suspectQueue, headers =>
        {
            BrokerCounts.LeaveOff(headers);
            headers.Set(Topology.SuspectHeader, $"{reason}; moved by {worker.Name}");
        });
        logger.LogWarning("Prediction {PredictionId} moved to {SuspectQueue}: {Reason}", context.PredictionId(), suspectQueue, reason);
    }
}
