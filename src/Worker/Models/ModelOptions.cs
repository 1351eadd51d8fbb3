using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Predictions.Worker.Models;

public sealed class ModelOptions : IValidatableObject
{
    public const string Section = "Model";

    /// <summary>The <see cref="ModelInput.FeatureValue"/> of the request; any other feature name is an item metadata key.</summary>
    public const string FeatureValue = "featureValue";

    [EnumDataType(typeof(ModelBackend), ErrorMessage = "Model:Backend must be Simulated or Onnx.")]
    public ModelBackend Backend { get; set; } = ModelBackend.Simulated;

    /// <summary>For <c>Simulated</c>: blocking time of one call (for <c>Cpu</c>: the CPU time it is calibrated to at start-up).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Model:SimulatedCost must be a time span between 00:00:00 and 01:00:00.")]
    public TimeSpan SimulatedCost { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>For <c>Simulated</c>: <c>Sleep</c> holds the thread idle; <c>Cpu</c> does real computation on a core.</summary>
    [EnumDataType(typeof(SimulatedCostKind), ErrorMessage = "Model:SimulatedCostKind must be Sleep or Cpu.")]
    public SimulatedCostKind SimulatedCostKind { get; set; } = SimulatedCostKind.Sleep;

    /// <summary>For <c>Cpu</c>: the exact work per prediction, instead of calibrating <c>SimulatedCost</c> at start-up.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Model:SimulatedCpuIterations must be a positive number.")]
    public long? SimulatedCpuIterations { get; set; }

    /// <summary>
    /// Fault testing: the simulated model crashes the whole process (<c>Environment.FailFast</c>) on a request
    /// with this feature value, as a native model might on an input it cannot handle. Unset: never. Any client
    /// could then kill the worker with one request, so it needs <see cref="AllowFaultInjection"/>.
    /// </summary>
    [Range(double.MinValue, double.MaxValue, ErrorMessage = "Model:SimulatedCrashFeatureValue must be a finite number, or unset.")]
    public double? SimulatedCrashFeatureValue { get; set; }

    /// <summary>
    /// The one switch that lets fault-injection settings take effect, in every environment: the environment's
    /// name is no safety catch (a container that sets none runs as Production, a shared staging host is often
    /// Development). Off (the default), a worker given one refuses to start; on, it warns at start-up.
    /// </summary>
    public bool AllowFaultInjection { get; set; }

    /// <summary>For <c>Onnx</c>: the model file; a relative path is resolved against the worker's folder.</summary>
    public string? Path { get; set; }

    /// <summary>For <c>Onnx</c>: the input fed the feature rows; may be left out when the model has one input.</summary>
    public string? InputName { get; set; }

    /// <summary>For <c>Onnx</c>: the output read, one value per row; may be left out when the model has one output.</summary>
    public string? OutputName { get; set; }

    /// <summary>
    /// For <c>Onnx</c>: the features making up one input row, in order. Unset means <c>["featureValue"]</c>:
    /// a default list would be appended to, not replaced, by the configuration binder.
    /// </summary>
    public IList<string>? Features { get; set; }

    /// <summary>For <c>Onnx</c>: the name reported with every prediction, instead of the one the model file gives.</summary>
    public string? Name { get; set; }

    /// <summary>For <c>Onnx</c>: the version reported with every prediction, instead of the one the model file gives.</summary>
    public string? Version { get; set; }

    /// <summary><see cref="Features"/>, or its default.</summary>
    public IReadOnlyList<string> FeatureNames => Features is { Count: > 0 } features ? [.. features] : [FeatureValue];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SimulatedCrashFeatureValue is { } crashValue && !AllowFaultInjection)
        {
            yield return new ValidationResult(
                $"Model:SimulatedCrashFeatureValue is {crashValue.ToString(CultureInfo.InvariantCulture)}: "
                + "any request with that featureValue would crash the worker. "
                + "It is for fault tests only and needs Model:AllowFaultInjection=true; unset it anywhere clients are real.",
                [nameof(SimulatedCrashFeatureValue), nameof(AllowFaultInjection)]);
        }

        if (Backend != ModelBackend.Onnx)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return new ValidationResult(
                "Model:Path is required when Model:Backend is Onnx: the .onnx file, e.g. models/doubling/2/model.onnx.", [nameof(Path)]);
        }

        if (FeatureNames.Any(string.IsNullOrWhiteSpace))
        {
            yield return new ValidationResult(
                $"Model:Features must list non-empty names ('{FeatureValue}' or an item metadata key); it is [{string.Join(", ", FeatureNames)}].",
                [nameof(Features)]);
        }

        if ((Name is not null && string.IsNullOrWhiteSpace(Name)) || (Version is not null && string.IsNullOrWhiteSpace(Version)))
        {
            yield return new ValidationResult(
                "Model:Name and Model:Version must not be blank: leave them unset to take them from the model file.",
                [nameof(Name), nameof(Version)]);
        }
    }
}
