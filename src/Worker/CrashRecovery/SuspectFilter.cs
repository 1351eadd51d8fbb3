using System.Diagnostics;
using MassTransit;
using Predictions.Contracts;
using Predictions.ServiceDefaults.Messaging;
using Predictions.Worker.Pipeline;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// On the work queue: a request that was in the model when the previous worker process died (a suspect,
/// from the <see cref="InferenceJournal"/>) is moved to <c>prediction-worker_suspect</c> with its body and
/// headers as received, then acknowledged here, so it is computed alone from there. The requests the
/// dead worker had merely prefetched beside it carry on here as usual.
/// </summary>
public sealed class SuspectFilter(InferenceJournal journal, WorkerIdentity worker, ILogger<SuspectFilter> logger) : IFilter<ConsumeContext<PredictionRequest>>
{
    public async Task Send(ConsumeContext<PredictionRequest> context, IPipe<ConsumeContext<PredictionRequest>> next)
    {
        if (context.PredictionId() is not { } id || !journal.Suspects.Contains(id))
        {
            await next.Send(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        await context.SendCopyAsync(Topology.SuspectQueue, headers => headers.Set(Topology.SuspectHeader, $"in the model when a worker died; moved by {worker.Name}"));
        logger.LogWarning("Prediction {PredictionId} was in the model when the previous worker died: moved to {SuspectQueue}", id, Topology.SuspectQueue);

        // Handled: acknowledge it here, rather than MassTransit's moving an unconsumed message to _skipped.
        await context.NotifyConsumed(context, Stopwatch.GetElapsedTime(started), nameof(SuspectFilter));
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("suspect");
}
