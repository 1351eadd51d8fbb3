namespace Predictions.Bench;

/// <summary>
/// The <c>rollout</c> workload's catalog, in a folder of its own that the gateway and the workers are given: <c>fast</c>
/// (the default model, simulated like the isolation workload's) at start, and the real <c>item-scorer:1</c> only once
/// <see cref="AddScorer"/> copies it in, so that no host loads it at start-up. Deleted when disposed.
/// </summary>
public sealed class RolloutCatalog : IDisposable
{
    public const string Fast = IsolationCatalog.Fast;

    public const string Scorer = "item-scorer";

    public const int ScorerVersion = 1;

    private RolloutCatalog(string folder) => Folder = folder;

    public string Folder { get; }

    public static RolloutCatalog Write()
    {
        var folder = Directory.CreateTempSubdirectory("predictions-bench-models-").FullName;
        IsolationCatalog.WriteModel(
            folder, Fast, factor: 2, IsolationCatalog.FastCost, "The rollout workload's serving model: 2 × featureValue after a 1 ms sleep.");
        return new RolloutCatalog(folder);
    }

    /// <summary>Copies the repository's item scorer (built beside the bench) into the catalog as <c>item-scorer/1</c>.</summary>
    public void AddScorer()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "models", Scorer, "1");
        var version = ScorerVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var target = Directory.CreateDirectory(Path.Combine(Folder, Scorer, version));
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target.FullName, Path.GetFileName(file)), overwrite: true);
        }
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
