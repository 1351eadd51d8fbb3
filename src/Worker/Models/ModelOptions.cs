using System.ComponentModel.DataAnnotations;

namespace Predictions.Worker.Models;

public sealed class ModelOptions : IValidatableObject
{
    public const string Section = "Model";

    /// <summary>The <see cref="ModelInput.FeatureValue"/> of the request; any other feature name is an item metadata key.</summary>
    public const string FeatureValue = "featureValue";

    [EnumDataType(typeof(ModelBackend), ErrorMessage = "Model:Backend must be Simulated or Onnx.")]
    public ModelBackend Backend { get; set; } = ModelBackend.Simulated;

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
        if (Backend != ModelBackend.Onnx)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return new ValidationResult(
                "Model:Path is required when Model:Backend is Onnx: the .onnx file, e.g. models/doubling.onnx.", [nameof(Path)]);
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
