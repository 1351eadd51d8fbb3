using System.Text;
using Predictions.Harness;

namespace Predictions.Integration.Tests.Rollouts;

/// <summary>A model catalog in a folder of its own, to which a test adds versions while the services run.</summary>
public sealed class RolloutCatalog : IDisposable
{
    public DirectoryInfo Folder { get; } = Directory.CreateTempSubdirectory("catalog-");

    /// <summary>A simulated version: <paramref name="factor"/> × featureValue after <paramref name="cost"/>.</summary>
    public RolloutCatalog Simulated(string name, int version, double factor, string cost = "00:00:00")
    {
        Write(name, version, $$"""{"backend": "Simulated", "factor": {{factor}}, "cost": "{{cost}}"}""");
        return this;
    }

    /// <summary>An ONNX version whose manifest gives another checksum than its file's: never to be served.</summary>
    public RolloutCatalog WithWrongChecksum(string name, int version)
    {
        var folder = Write(name, version, """
            {"backend": "Onnx", "file": "model.onnx", "features": ["featureValue"],
             "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}
            """);
        File.Copy(Path.Combine(Repository.Root, "models", "doubling", "2", "model.onnx"), Path.Combine(folder, "model.onnx"));
        return this;
    }

    public void Dispose() => Folder.Delete(recursive: true);

    private string Write(string name, int version, string manifest)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Folder.FullName, name, $"{version}")).FullName;
        File.WriteAllText(Path.Combine(folder, "manifest.json"), manifest, Encoding.UTF8);
        return folder;
    }
}
