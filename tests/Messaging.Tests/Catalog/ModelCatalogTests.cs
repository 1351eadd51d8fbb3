using Predictions.Contracts;
using Predictions.Messaging.Catalog;

namespace Predictions.Messaging.Tests.Catalog;

public sealed class ModelCatalogTests : IDisposable
{
    private const string Simulated = """{ "backend": "Simulated", "factor": 2, "cost": "00:00:00" }""";

    private const string Onnx = """
        {
          "backend": "Onnx",
          "file": "model.onnx",
          "sha256": "d6248ab30e00bf17699e121c476290e44afdfe733be8b5005ee8e3144dae1d42",
          "maxBatchSize": 32
        }
        """;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("model-catalog-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void A_name_alone_resolves_to_its_highest_version()
    {
        Write("doubling/1", Simulated);
        Write("doubling/2", Onnx);
        Write("doubling/10", Simulated);
        Write("item-scorer/1", Onnx);

        var catalog = ModelCatalog.Load(_folder.FullName);
        var (entry, problem) = catalog.Resolve(new ModelReference("doubling", null));

        Assert.Null(problem);
        Assert.Equal(Identity("doubling", "10"), entry!.Identity);
        Assert.Equal(["doubling", "item-scorer"], catalog.Names);
        Assert.Equal(4, catalog.Entries.Count());
    }

    [Fact]
    public void A_name_and_version_resolve_to_that_version_with_its_manifest_and_folder()
    {
        Write("doubling/1", Simulated);
        Write("doubling/2", Onnx);

        var (entry, problem) = ModelCatalog.Load(_folder.FullName).Resolve(new ModelReference("doubling", 2));

        Assert.Null(problem);
        Assert.Equal(Identity("doubling", "2"), entry!.Identity);
        Assert.True(entry.Manifest.IsOnnx);
        Assert.Equal(32, entry.Manifest.MaxBatchSize);
        Assert.Equal(Path.Combine(_folder.FullName, "doubling", "2"), entry.Folder);
    }

    [Fact]
    public void An_unknown_name_is_a_problem_naming_the_model_and_those_there_are()
    {
        Write("doubling/1", Simulated);

        var (entry, problem) = ModelCatalog.Load(_folder.FullName).Resolve(new ModelReference("nosuch", null));

        Assert.Null(entry);
        Assert.Contains("'nosuch'", problem, StringComparison.Ordinal);
        Assert.Contains("doubling", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_version_is_a_problem_naming_the_model_and_its_versions()
    {
        Write("doubling/1", Simulated);
        Write("doubling/2", Onnx);

        var (entry, problem) = ModelCatalog.Load(_folder.FullName).Resolve(new ModelReference("doubling", 3));

        Assert.Null(entry);
        Assert.Contains("'doubling'", problem, StringComparison.Ordinal);
        Assert.Contains("version 3", problem, StringComparison.Ordinal);
        Assert.Contains("1, 2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_an_empty_catalog_that_refuses_every_model()
    {
        var catalog = ModelCatalog.Load(Path.Combine(_folder.FullName, "absent"));
        var (entry, problem) = catalog.Resolve(new ModelReference("doubling", null));

        Assert.Empty(catalog.Entries);
        Assert.Null(entry);
        Assert.Contains("'doubling'", problem, StringComparison.Ordinal);
        Assert.Contains("empty", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "backend": "Simulated", "colour": "blue" }""", "colour")]
    [InlineData("""{ "description": "no backend" }""", "backend")]
    [InlineData("""{ "backend": "Tensorflow" }""", "Tensorflow")]
    [InlineData("""{ "backend": "Onnx", "file": "model.onnx" }""", "sha256")]
    [InlineData("""{ "backend": "Onnx", "file": "model.onnx", "sha256": "not-hex" }""", "sha256")]
    [InlineData("""{ "backend": "Onnx", "sha256": "d6248ab30e00bf17699e121c476290e44afdfe733be8b5005ee8e3144dae1d42" }""", "file")]
    [InlineData("""{ "backend": "Simulated", "maxBatchSize": 0 }""", "maxBatchSize")]
    [InlineData("""{ "backend": "Simulated", "costKind": "Spin" }""", "costKind")]
    [InlineData("""not json""", "not a valid manifest")]
    [InlineData("""null""", "null")]
    public void A_bad_manifest_is_refused_naming_its_file_and_what_is_wrong(string manifest, string wrong)
    {
        var path = Write("doubling/1", manifest);

        var refused = Assert.Throws<InvalidDataException>(() => ModelCatalog.Load(_folder.FullName));

        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains(wrong, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("doubling")]
    [InlineData("models/doubling/1")]
    [InlineData("Doubling/1")]
    [InlineData("doubling/0")]
    [InlineData("doubling/v1")]
    [InlineData("doubling/latest")]
    public void A_manifest_not_at_name_and_version_is_refused_naming_its_file(string at)
    {
        var path = Write(at, Simulated);

        var refused = Assert.Throws<InvalidDataException>(() => ModelCatalog.Load(_folder.FullName));

        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
    }

    private static ModelIdentity Identity(string name, string version) => new() { Name = name, Version = version };

    private string Write(string at, string manifest)
    {
        var folder = Directory.CreateDirectory(Path.Combine([_folder.FullName, .. at.Split('/')]));
        var path = Path.Combine(folder.FullName, ModelCatalog.ManifestFile);
        File.WriteAllText(path, manifest);
        return path;
    }
}
