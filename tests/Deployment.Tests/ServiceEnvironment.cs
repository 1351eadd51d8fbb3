using YamlDotNet.RepresentationModel;

namespace Predictions.Deployment.Tests;

/// <summary>The environment variables one deployed gateway or worker is given, and where that is written.</summary>
public sealed record ServiceEnvironment(string Where, string Image, IReadOnlyList<string> Variables)
{
    public HostSettings Host => Image switch
    {
        Manifests.GatewayImage => HostSettings.Gateway,
        Manifests.WorkerImage => HostSettings.Worker,
        _ => throw new ArgumentOutOfRangeException(nameof(Image), Image, "Not one of our images."),
    };

    /// <summary>Each docker-compose service that runs one of our images.</summary>
    public static IReadOnlyList<ServiceEnvironment> InCompose() =>
    [
        .. Manifests.Compose.Map("services").Children
            .Select(service => (Name: ((YamlScalarNode)service.Key).Value!, Node: (YamlMappingNode)service.Value))
            .Where(service => service.Node.Text("image") is Manifests.GatewayImage or Manifests.WorkerImage)
            .Select(service => new ServiceEnvironment(
                $"docker-compose.yml service {service.Name}",
                service.Node.Text("image")!,
                service.Node.Find("environment") is YamlMappingNode environment ? [.. environment.Keys()] : [])),
    ];

    /// <summary>Each Deployment's container: its <c>env</c> names and the keys of the ConfigMaps it takes whole.</summary>
    public static IReadOnlyList<ServiceEnvironment> InKubernetes() =>
    [
        .. Manifests.OfKind("Deployment").Select(deployment =>
        {
            var container = Manifests.Container(deployment);
            var named = container.Find("env") is YamlSequenceNode env
                ? env.OfType<YamlMappingNode>().Select(variable => variable.Text("name")!)
                : [];
            var fromConfigMaps = container.Find("envFrom") is YamlSequenceNode envFrom
                ? envFrom.OfType<YamlMappingNode>().SelectMany(ConfigMapKeys)
                : [];
            return new ServiceEnvironment(
                $"deploy/kubernetes Deployment {deployment.Map("metadata").Text("name")}",
                container.Text("image")!,
                [.. named.Concat(fromConfigMaps)]);
        }),
    ];

    private static IEnumerable<string> ConfigMapKeys(YamlMappingNode source)
    {
        // A Secret taken whole would hide its variable names from review: only named secretKeyRefs are used.
        var reference = source.Map("configMapRef").Text("name")!;
        return Manifests.Named("ConfigMap", reference).Map("data").Keys();
    }
}
