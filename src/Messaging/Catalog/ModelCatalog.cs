using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Predictions.Contracts;

namespace Predictions.Messaging.Catalog;

/// <summary>
/// The models a service may serve: <c>{folder}/{name}/{version}/manifest.json</c>, read once at start-up. A request
/// naming a model without a version gets the highest version here.
/// </summary>
public sealed class ModelCatalog
{
    public const string ManifestFile = "manifest.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private readonly Dictionary<string, SortedDictionary<int, Entry>> _models;

    private ModelCatalog(string folder, Dictionary<string, SortedDictionary<int, Entry>> models)
    {
        Folder = folder;
        _models = models;
    }

    /// <summary>One registered model version.</summary>
    public sealed record Entry(ModelIdentity Identity, string Folder, ModelManifest Manifest);

    /// <summary>A catalog with no models: every request naming one is refused.</summary>
    public static ModelCatalog Empty { get; } = new(string.Empty, []);

    public string Folder { get; }

    public bool IsEmpty => _models.Count == 0;

    public IEnumerable<string> Names => _models.Keys.Order(StringComparer.Ordinal);

    public IEnumerable<Entry> Entries => _models.Values.SelectMany(versions => versions.Values);

    /// <summary>
    /// Reads every manifest under <paramref name="folder"/>; throws naming the file and what is wrong with it. A folder
    /// that does not exist is an empty catalog.
    /// </summary>
    public static ModelCatalog Load(string folder)
    {
        var models = new Dictionary<string, SortedDictionary<int, Entry>>(StringComparer.Ordinal);
        if (!Directory.Exists(folder))
        {
            return new ModelCatalog(folder, models);
        }

        foreach (var manifestPath in Directory.EnumerateFiles(folder, ManifestFile, SearchOption.AllDirectories))
        {
            var versionFolder = Path.GetDirectoryName(manifestPath)!;
            var versionText = Path.GetFileName(versionFolder);
            var name = Path.GetFileName(Path.GetDirectoryName(versionFolder)!);
            if (Path.GetRelativePath(folder, versionFolder).Count(c => c == Path.DirectorySeparatorChar) != 1
                || !ModelReference.IsName(name)
                || !int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                || version < 1)
            {
                throw new InvalidDataException(
                    $"Model catalog: {manifestPath} is not at {{name}}/{{version}}/{ManifestFile}, "
                    + "with a name of lower-case letters, digits, '-' and '_' and a whole version number from 1.");
            }

            ModelManifest manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(manifestPath), Json)
                    ?? throw new JsonException("the file holds null.");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"Model catalog: {manifestPath} is not a valid manifest: {ex.Message}", ex);
            }

            if (manifest.Problem() is { } problem)
            {
                throw new InvalidDataException($"Model catalog: {manifestPath}: {problem}");
            }

            if (!models.TryGetValue(name, out var versions))
            {
                models[name] = versions = [];
            }

            versions[version] = new Entry(ModelReference.Identify(name, version), versionFolder, manifest);
        }

        return new ModelCatalog(folder, models);
    }

    /// <summary>The entry a setting (<paramref name="setting"/>, e.g. <c>Models:Default</c>) names; throws naming the setting if none.</summary>
    public Entry Find(string reference, string setting)
    {
        var (entry, problem) = ModelReference.TryParse(reference, out var parsed)
            ? Resolve(parsed)
            : (null, $"it is not {ModelReference.Shape}");
        return entry ?? throw new InvalidDataException($"{setting} is '{reference}', but {problem} (catalog: {Folder}).");
    }

    /// <summary>The version <paramref name="reference"/> names, or its model's latest; null with the reason when there is none.</summary>
    public (Entry? Entry, string? Problem) Resolve(ModelReference reference)
    {
        if (!_models.TryGetValue(reference.Name, out var versions))
        {
            return (null, IsEmpty
                ? $"there is no model '{reference.Name}': this service's catalog is empty"
                : $"there is no model '{reference.Name}' in the catalog (it has {string.Join(", ", Names)})");
        }

        if (reference.Alias is not null)
        {
            return (null, $"'{reference}' names an alias, which the catalog alone cannot resolve: name a version");
        }

        if (reference.Version is not { } version)
        {
            return (versions.Values.Last(), null);
        }

        return versions.TryGetValue(version, out var entry)
            ? (entry, null)
            : (null, $"model '{reference.Name}' has no version {version} in the catalog (it has {string.Join(", ", versions.Keys)})");
    }
}
