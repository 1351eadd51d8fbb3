using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Predictions.Architecture.Tests;

/// <summary>
/// One project's sources bound as the compiler binds them. Source rather than IL, because a constant or a
/// <c>nameof</c> is compiled away but is a dependency all the same.
/// </summary>
public sealed class ProjectSource
{
    // What each SDK's implicit usings give every file: the sources need them to bind.
    private static readonly string[] BaseUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] HostingUsings =
    [
        "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting",
        "Microsoft.Extensions.Logging",
    ];

    private static readonly string[] WebUsings =
    [
        "System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing",
    ];

    private static readonly Lazy<List<MetadataReference>> References = new(LoadReferences);

    private readonly XDocument _projectFile;
    private readonly Lazy<IReadOnlyList<NamespaceUse>> _uses;

    private ProjectSource(string project, XDocument projectFile, CSharpCompilation compilation)
    {
        Project = project;
        Compilation = compilation;
        _projectFile = projectFile;
        _uses = new(() => [.. FindUses()]);
    }

    public string Project { get; }

    public string RootNamespace => $"Predictions.{Project}";

    public CSharpCompilation Compilation { get; }

    /// <summary>The project references in its .csproj, by project name.</summary>
    public IReadOnlyList<string> ProjectReferences =>
        [.. _projectFile.Descendants("ProjectReference")
            .Select(reference => Path.GetFileNameWithoutExtension(Include(reference).Replace('\\', '/')))];

    /// <summary>The packages the .csproj references.</summary>
    public IReadOnlyList<string> PackageReferences => [.. _projectFile.Descendants("PackageReference").Select(Include)];

    /// <summary>Every name in the project that binds to a type or member of another namespace.</summary>
    public IReadOnlyList<NamespaceUse> Uses => _uses.Value;

    public static ProjectSource Load(string project)
    {
        var folder = SourceTree.ProjectFolder(project);
        var projectFile = XDocument.Load(Path.Combine(folder, $"{project}.csproj"));
        var sdk = (string?)projectFile.Root?.Attribute("Sdk") ?? "";
        var parseOptions = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(folder, path))
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), parseOptions, path))
            .Append(CSharpSyntaxTree.ParseText(GlobalUsings(sdk, projectFile), parseOptions));
        var name = $"Predictions.{project}";
        var kind = sdk == "Microsoft.NET.Sdk" ? OutputKind.DynamicallyLinkedLibrary : OutputKind.ConsoleApplication;
        var compilation = CSharpCompilation.Create(
            name,
            trees,
            References.Value.Where(reference => Path.GetFileNameWithoutExtension(reference.Display) != name),
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
        return new ProjectSource(project, projectFile, compilation);
    }

    private IEnumerable<NamespaceUse> FindUses()
    {
        foreach (var tree in Compilation.SyntaxTrees.Where(tree => tree.FilePath.Length > 0))
        {
            var model = Compilation.GetSemanticModel(tree);
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var info = model.GetSymbolInfo(name);
                var from = DeclaredNamespace(name);
                foreach (var symbol in info.CandidateSymbols.Prepend(info.Symbol).OfType<ISymbol>())
                {
                    if (NamespaceOf(symbol) is { } to && to != from)
                    {
                        var line = name.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                        yield return new NamespaceUse(from, to, symbol.Name, $"{SourceTree.RelativePath(tree.FilePath)}:{line}");
                    }
                }
            }
        }
    }

    // Top-level statements have no namespace: they are the project's root.
    private string DeclaredNamespace(SyntaxNode node) =>
        node.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString() ?? RootNamespace;

    private static string? NamespaceOf(ISymbol symbol) =>
        symbol is INamespaceSymbol or ITypeParameterSymbol || (symbol as INamedTypeSymbol ?? symbol.ContainingType) is not { } type
            ? null
            : type.ContainingNamespace.ToDisplayString();

    private static string GlobalUsings(string sdk, XDocument projectFile)
    {
        IEnumerable<string> usings = sdk switch
        {
            "Microsoft.NET.Sdk.Web" => [.. BaseUsings, .. HostingUsings, .. WebUsings],
            "Microsoft.NET.Sdk.Worker" => [.. BaseUsings, .. HostingUsings],
            _ => BaseUsings,
        };
        return string.Concat(usings.Concat(projectFile.Descendants("Using").Select(Include)).Select(name => $"global using {name};\n"));
    }

    private static string Include(XElement item) => (string?)item.Attribute("Include") ?? "";

    private static bool IsBuildOutput(string folder, string path) =>
        Path.GetRelativePath(folder, path).Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj";

    // The platform's assemblies and every package this test's output holds, which the projects reference too.
    private static List<MetadataReference> LoadReferences()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        return [.. platform.Concat(local)
            .DistinctBy(Path.GetFileName)
            .Where(path => !Path.GetFileName(path).StartsWith("Predictions.Architecture", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path))];
    }
}
