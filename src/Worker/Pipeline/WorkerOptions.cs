using System.ComponentModel.DataAnnotations;

namespace Predictions.Worker.Pipeline;

public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>
    /// Requests one worker holds at once: awaiting metadata, waiting for a pool thread or in inference; also
    /// its prefetch. Unset: 32 per pool thread, and at least two full batches per thread
    /// (<c>Inference:MaxBatchSize</c>) so that batches fill while the next requests' metadata arrives. A slow
    /// model needs only a few (enough for the metadata I/O to overlap the inferences); a fast one needs many,
    /// or the broker's confirm round trips, not the model, set the pace (docs/benchmarks.md). Messages held here are unacknowledged, never lost: a
    /// worker that dies hands them back to the queue.
    /// </summary>
    [Range(1, 100_000, ErrorMessage = "Worker:MaxInFlight must be between 1 and 100000.")]
    public int? MaxInFlight { get; set; }

    public int MaxInFlightFor(int poolThreads, int maxBatchSize = 1) => MaxInFlight ?? poolThreads * Math.Max(32, 2 * maxBatchSize);
}
