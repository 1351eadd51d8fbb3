using System.ComponentModel.DataAnnotations;
using Predictions.Messaging.Catalog;

namespace Predictions.Gateway.Routing;

/// <summary>
/// <c>Models</c>, as the gateway reads it: the catalog that resolves a request's <c>model</c>, and the default model,
/// whose lane is <c>prediction-worker</c>. The workers' <c>Models:Default</c> must be the same.
/// </summary>
public sealed class RoutingOptions : IValidatableObject
{
    public const string Section = "Models";

    /// <summary>The catalog folder; a relative path is taken from the gateway's folder. Only the manifests are read.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Models:Catalog must name the catalog folder, e.g. models.")]
    public string Catalog { get; set; } = "models";

    /// <summary>The model of requests that name none. Unset: the workers serve one model, without a catalog.</summary>
    public string? Default { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Default is not null && !ModelReference.TryParse(Default, out _))
        {
            yield return new ValidationResult($"Models:Default is '{Default}'; it must be {ModelReference.Shape}.", [nameof(Default)]);
        }
    }
}
