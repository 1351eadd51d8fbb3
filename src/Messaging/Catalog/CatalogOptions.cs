using System.ComponentModel.DataAnnotations;

namespace Predictions.Messaging.Catalog;

/// <summary>
/// <c>Models</c>, as every host reads it: the catalog folder, and the model of requests that name none, whose lane is
/// <c>prediction-worker</c>. Unset <c>Default</c> means no catalog: the workers serve the one model <c>Model:*</c>
/// describes, as before catalogs. Gateways and workers must agree on both.
/// </summary>
public class CatalogOptions : IValidatableObject
{
    public const string Section = "Models";

    /// <summary>The catalog folder (<c>{name}/{version}/manifest.json</c>); a relative path is taken from the host's folder.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Models:Catalog must name the catalog folder, e.g. models.")]
    public string Catalog { get; set; } = "models";

    /// <summary>The model of requests that name none: a name (its latest version) or name:version.</summary>
    public string? Default { get; set; }

    public bool UsesCatalog => Default is not null;

    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Default is not null && !ModelReference.TryParse(Default, out _))
        {
            yield return new ValidationResult($"Models:Default is '{Default}'; it must be {ModelReference.Shape}.", [nameof(Default)]);
        }
    }
}
