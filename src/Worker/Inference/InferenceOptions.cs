using System.ComponentModel.DataAnnotations;

namespace Predictions.Worker.Inference;

public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary>Threads in the inference pool: never more inferences than this at once.</summary>
    [Range(1, 1024, ErrorMessage = "Inference:MaxConcurrency must be between 1 and 1024.")]
    public int MaxConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Inputs one model call may take, for a model that can batch (an ONNX model with a dynamic first dimension).
    /// 1 runs every prediction alone.
    /// </summary>
    [Range(1, 1024, ErrorMessage = "Inference:MaxBatchSize must be between 1 and 1024.")]
    public int MaxBatchSize { get; set; } = 1;

    /// <summary>
    /// How long a pool thread holding less than a full batch waits for more inputs, counted from when the oldest
    /// was queued: the most batching adds to a prediction's latency. It waits only while every other thread is busy.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10", ErrorMessage = "Inference:MaxBatchDelay must be a time span between 00:00:00 and 00:00:10.")]
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// With several lanes (<c>Models:Shares</c>): how long a lane's share of the threads stays kept for it after its last
    /// request left the worker, before the threads are lent to other lanes. A client that sends its next request within
    /// it finds its share free, not behind another lane's long inference; a lane quiet for longer lends all its threads.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Inference:ShareHold must be a time span between 00:00:00 and 00:01:00.")]
    public TimeSpan ShareHold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The file in which the pool notes which predictions are in the model, so that after a crash the next
    /// process knows which requests were being computed (<see cref="InferenceJournal"/>). One per worker.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Inference:JournalFile must name a file (one per worker).")]
    public string JournalFile { get; set; } = "inference.journal";
}
