using System.Collections.Concurrent;

namespace Predictions.Architecture.Tests;

/// <summary>Each project bound once for all the tests that read it.</summary>
public static class ProjectSources
{
    private static readonly ConcurrentDictionary<string, Lazy<ProjectSource>> Loaded = new();

    public static ProjectSource Get(string project) =>
        Loaded.GetOrAdd(project, name => new Lazy<ProjectSource>(() => ProjectSource.Load(name))).Value;
}
