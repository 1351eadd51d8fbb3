using System.ComponentModel.DataAnnotations;
using Predictions.Messaging.Catalog;

namespace Predictions.Worker.Lanes;

/// <summary>
/// <c>Models</c>: which catalog models this worker serves, each in its own lane. Unset <c>Default</c> means no catalog:
/// the worker serves the one model <c>Model:*</c> describes, in <c>prediction-worker</c>, as before catalogs.
/// </summary>
public sealed class ModelsOptions : IValidatableObject
{
    public const string Section = "Models";

    /// <summary>The catalog folder (<c>{name}/{version}/manifest.json</c>); a relative path is taken from the worker's folder.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Models:Catalog must name the catalog folder, e.g. models.")]
    public string Catalog { get; set; } = "models";

    /// <summary>The model of requests that name none: a name (its latest version) or name:version. Its lane is <c>prediction-worker</c>.</summary>
    public string? Default { get; set; }

    /// <summary>
    /// The models whose lanes this worker consumes, separated by commas (e.g. <c>item-scorer:1</c>): a worker for some
    /// lanes only. Unset: the latest version of every model in the catalog, and the default.
    /// </summary>
    public string? Serve { get; set; }

    /// <summary>
    /// Each lane's weight in the inference pool, by model name (1 when not given): a lane with work is guaranteed its
    /// share of <c>Inference:MaxConcurrency</c>, and borrows what lanes with none leave idle.
    /// </summary>
    public Dictionary<string, int> Shares { get; set; } = [];

    public bool UsesCatalog => Default is not null;

    /// <summary>The references <see cref="Serve"/> lists; empty when unset.</summary>
    public IReadOnlyList<string> ServeList =>
        Serve?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    public int ShareOf(string model) => Shares.TryGetValue(model, out var share) ? share : 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Default is not null && !ModelReference.TryParse(Default, out _))
        {
            yield return new ValidationResult($"Models:Default is '{Default}'; it must be {ModelReference.Shape}.", [nameof(Default)]);
        }

        if (Serve is not null && (!UsesCatalog || ServeList.Count == 0 || ServeList.Any(model => !ModelReference.TryParse(model, out _))))
        {
            yield return new ValidationResult(
                $"Models:Serve is '{Serve}'; it must list, separated by commas, {ModelReference.Shape}, and needs Models:Default.", [nameof(Serve)]);
        }

        foreach (var (model, share) in Shares.Where(share => share.Value is < 1 or > 1000))
        {
            yield return new ValidationResult($"Models:Shares:{model} is {share}; it must be between 1 and 1000.", [nameof(Shares)]);
        }
    }
}
