namespace Predictions.Architecture.Tests;

/// <summary>Finds this checkout's projects, whose sources the layering rules read.</summary>
public static class SourceTree
{
    public static string Root { get; } = FindRoot();

    public static string ProjectFolder(string project) => Path.Combine(Root, "src", project);

    public static string RelativePath(string path) => Path.GetRelativePath(Root, path);

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
