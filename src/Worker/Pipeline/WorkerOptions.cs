using System.ComponentModel.DataAnnotations;

namespace Predictions.Worker.Pipeline;

public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>
    /// Requests one worker holds at once: awaiting metadata, waiting for a pool thread or in inference.
    /// Unset: four per pool thread, so metadata I/O for the next requests overlaps the running inferences.
    /// </summary>
    [Range(1, 100_000, ErrorMessage = "Worker:MaxInFlight must be between 1 and 100000.")]
    public int? MaxInFlight { get; set; }

    public int MaxInFlightFor(int poolThreads) => MaxInFlight ?? Math.Max(16, 4 * poolThreads);
}
