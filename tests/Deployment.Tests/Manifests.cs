using Predictions.Harness;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Predictions.Deployment.Tests;

/// <summary>The deployment files as YAML documents: docker-compose.yml and every manifest in deploy/kubernetes.</summary>
public static class Manifests
{
    public const string GatewayImage = "predictions-gateway";
    public const string WorkerImage = "predictions-worker";

    public static string KubernetesFolder { get; } = Path.Combine(Repository.Root, "deploy", "kubernetes");

    /// <summary>Every Kubernetes object, with the file it is in.</summary>
    public static IReadOnlyList<(string File, YamlMappingNode Node)> Kubernetes { get; } =
    [
        .. Directory.GetFiles(KubernetesFolder, "*.yaml")
            .Where(path => Path.GetFileName(path) != "kustomization.yaml")
            .Order(StringComparer.Ordinal)
            .SelectMany(path => Load(path).Select(node => (Path.GetFileName(path), node))),
    ];

    public static YamlMappingNode Kustomization => Load(Path.Combine(KubernetesFolder, "kustomization.yaml")).Single();

    /// <summary>docker-compose.yml with its merge keys (<c>&lt;&lt;: *anchor</c>) and aliases resolved.</summary>
    public static YamlMappingNode Compose => Load(Path.Combine(Repository.Root, "docker-compose.yml")).Single();

    public static IEnumerable<YamlMappingNode> OfKind(string kind) =>
        Kubernetes.Select(manifest => manifest.Node).Where(node => node.Text("kind") == kind);

    public static YamlMappingNode Named(string kind, string name) =>
        OfKind(kind).SingleOrDefault(node => node.Map("metadata").Text("name") == name)
        ?? throw new Xunit.Sdk.XunitException($"deploy/kubernetes has no {kind} named '{name}'.");

    /// <summary>The one Deployment whose container runs <paramref name="image"/>.</summary>
    public static YamlMappingNode DeploymentOf(string image) =>
        Assert.Single(OfKind("Deployment"), deployment => Container(deployment).Text("image") == image);

    public static YamlMappingNode Container(YamlMappingNode deployment) =>
        Assert.IsType<YamlMappingNode>(Assert.Single(deployment.Map("spec").Map("template").Map("spec").Seq("containers")));

    private static List<YamlMappingNode> Load(string path)
    {
        using var reader = File.OpenText(path);
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(reader)));
        return [.. stream.Documents.Select(document => Assert.IsType<YamlMappingNode>(document.RootNode))];
    }
}
