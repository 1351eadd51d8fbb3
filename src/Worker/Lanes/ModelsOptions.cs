using System.ComponentModel.DataAnnotations;
using Predictions.Messaging.Catalog;

namespace Predictions.Worker.Lanes;

/// <summary>
/// <c>Models</c>, as a worker reads it: besides the catalog and the default model, which catalog models this worker
/// serves, each in its own lane, and their weights in the inference pool.
/// </summary>
public sealed class ModelsOptions : CatalogOptions
{
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

    /// <summary>The references <see cref="Serve"/> lists; empty when unset.</summary>
    public IReadOnlyList<string> ServeList =>
        Serve?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    public int ShareOf(string model) => Shares.TryGetValue(model, out var share) ? share : 1;

    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext))
        {
            yield return result;
        }

        if (Serve is not null && (!UsesCatalog || ServeList.Count == 0
            || ServeList.Any(model => !ModelReference.TryParse(model, out var reference) || reference.Alias is not null)))
        {
            yield return new ValidationResult(
                $"Models:Serve is '{Serve}'; it must list, separated by commas, model names (each follows its rollout) or name:version "
                + "(pinned), e.g. item-scorer or item-scorer:1, and needs Models:Default.",
                [nameof(Serve)]);
        }

        foreach (var (model, share) in Shares.Where(share => share.Value is < 1 or > 1000))
        {
            yield return new ValidationResult($"Models:Shares:{model} is {share}; it must be between 1 and 1000.", [nameof(Shares)]);
        }
    }
}
