namespace Predictions.Harness;

/// <summary>Finds this checkout's build outputs, so tests run exactly what was just built.</summary>
public static class Repository
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static string Root { get; } = FindRoot();

    public static string ServiceAssembly(string project)
    {
        var path = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", $"Predictions.{project}.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build the solution first (dotnet build Worker.sln -c {Configuration}).", path);
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Worker.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Worker.sln above {AppContext.BaseDirectory}.");
    }
}
