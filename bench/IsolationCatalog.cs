using System.Globalization;

namespace Predictions.Bench;

/// <summary>
/// The <c>isolation</c> workload's models, in a catalog folder of its own that the gateway and the workers are given:
/// <c>fast</c> (the default model) and <c>slow</c>, both simulated with a sleeping cost. Deleted when disposed.
/// </summary>
public sealed class IsolationCatalog : IDisposable
{
    public const string Fast = "fast";

    public const string Slow = "slow";

    public static readonly TimeSpan FastCost = TimeSpan.FromMilliseconds(1);

    public static readonly TimeSpan SlowCost = TimeSpan.FromMilliseconds(200);

    private IsolationCatalog(string folder) => Folder = folder;

    public string Folder { get; }

    /// <summary>The lane (queue) that holds the slow model's requests.</summary>
    public static string SlowQueue => $"prediction-worker.{Slow}.1";

    public static IsolationCatalog Write()
    {
        var folder = Directory.CreateTempSubdirectory("predictions-bench-models-").FullName;
        WriteModel(folder, Fast, factor: 2, FastCost, "The isolation workload's fast model: 2 × featureValue after a 1 ms sleep.");
        WriteModel(folder, Slow, factor: 3, SlowCost, "The isolation workload's slow model: 3 × featureValue after a 200 ms sleep.");
        return new IsolationCatalog(folder);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    /// <summary>A simulated model: <paramref name="factor"/> × featureValue after sleeping <paramref name="cost"/>.</summary>
    internal static void WriteModel(string folder, string name, double factor, TimeSpan cost, string description)
    {
        var version = Directory.CreateDirectory(Path.Combine(folder, name, "1")).FullName;
        File.WriteAllText(Path.Combine(version, "manifest.json"), string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "description": "{{description}}",
              "backend": "Simulated",
              "factor": {{factor}},
              "cost": "{{cost:c}}",
              "costKind": "Sleep"
            }
            """));
    }
}
