using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Predictions.Worker.Models;

namespace Predictions.Worker.Inference;

public sealed class InferenceOptions : IValidatableObject
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

    /// <summary>Blocking time of one call to the simulated model (for <c>Cpu</c>: the CPU time it is calibrated to at start-up).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Inference:SimulatedCost must be a time span between 00:00:00 and 01:00:00.")]
    public TimeSpan SimulatedCost { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>Sleep</c> holds the thread idle; <c>Cpu</c> does real computation on a core.</summary>
    [EnumDataType(typeof(SimulatedCostKind), ErrorMessage = "Inference:SimulatedCostKind must be Sleep or Cpu.")]
    public SimulatedCostKind SimulatedCostKind { get; set; } = SimulatedCostKind.Sleep;

    /// <summary>For <c>Cpu</c>: the exact work per prediction, instead of calibrating <c>SimulatedCost</c> at start-up.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Inference:SimulatedCpuIterations must be a positive number.")]
    public long? SimulatedCpuIterations { get; set; }

    /// <summary>
    /// The file in which the pool notes which predictions are in the model, so that after a crash the next
    /// process knows which requests were being computed (<see cref="CrashRecovery.InferenceJournal"/>). One per worker.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Inference:JournalFile must name a file (one per worker).")]
    public string JournalFile { get; set; } = "inference.journal";

    /// <summary>
    /// Fault testing: the simulated model crashes the whole process (<c>Environment.FailFast</c>) on a request
    /// with this feature value, as a native model might on an input it cannot handle. Unset: never. Any client
    /// could then kill the worker with one request, so it needs <see cref="AllowFaultInjection"/>.
    /// </summary>
    [Range(double.MinValue, double.MaxValue, ErrorMessage = "Inference:SimulatedCrashFeatureValue must be a finite number, or unset.")]
    public double? SimulatedCrashFeatureValue { get; set; }

    /// <summary>
    /// The one switch that lets fault-injection settings take effect, in every environment: the environment's
    /// name is no safety catch (a container that sets none runs as Production, a shared staging host is often
    /// Development). Off (the default), a worker given one refuses to start; on, it warns at start-up.
    /// </summary>
    public bool AllowFaultInjection { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SimulatedCrashFeatureValue is { } crashValue && !AllowFaultInjection)
        {
            yield return new ValidationResult(
                $"Inference:SimulatedCrashFeatureValue is {crashValue.ToString(CultureInfo.InvariantCulture)}: any request with that featureValue would crash the worker. "
                + "It is for fault tests only and needs Inference:AllowFaultInjection=true; unset it anywhere clients are real.",
                [nameof(SimulatedCrashFeatureValue), nameof(AllowFaultInjection)]);
        }
    }
}
