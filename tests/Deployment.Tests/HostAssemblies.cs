using System.Reflection;
using System.Runtime.Loader;
using Predictions.Harness;

namespace Predictions.Deployment.Tests;

/// <summary>
/// A host's assembly as built, with its own dependencies, loaded for reading only: the test sees the types the
/// deployed host has, without referencing two executables (each with its own appsettings.json) at once.
/// </summary>
internal sealed class HostAssemblies : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    private HostAssemblies(string path)
        : base($"host:{Path.GetFileName(path)}")
    {
        _resolver = new AssemblyDependencyResolver(path);
        Main = LoadFromAssemblyPath(path);
    }

    public Assembly Main { get; }

    /// <summary>The folder the host runs from: its appsettings.json is there.</summary>
    public string Folder => Path.GetDirectoryName(Main.Location)!;

    public static HostAssemblies Of(string project) => new(Repository.ServiceAssembly(project));

    /// <summary>The host's assembly and ours that it references (ServiceDefaults), as the host loads them.</summary>
    public IEnumerable<Assembly> Own() =>
        Main.GetReferencedAssemblies()
            .Where(name => name.Name?.StartsWith("Predictions.", StringComparison.Ordinal) == true)
            .Select(LoadFromAssemblyName)
            .Prepend(Main);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Framework assemblies are not in the host's deps.json: they come from the shared framework, as in the host.
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }
}
