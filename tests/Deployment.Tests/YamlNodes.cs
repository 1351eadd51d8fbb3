using YamlDotNet.RepresentationModel;

namespace Predictions.Deployment.Tests;

/// <summary>Reading a manifest by its keys, failing with the missing key's name.</summary>
public static class YamlNodes
{
    public static YamlNode? Find(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    public static YamlMappingNode Map(this YamlMappingNode node, string key) =>
        node.Find(key) as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"No mapping '{key}' in {node.Start}.");

    public static YamlSequenceNode Seq(this YamlMappingNode node, string key) =>
        node.Find(key) as YamlSequenceNode ?? throw new Xunit.Sdk.XunitException($"No list '{key}' in {node.Start}.");

    public static string? Text(this YamlMappingNode node, string key) => (node.Find(key) as YamlScalarNode)?.Value;

    public static IEnumerable<string> Keys(this YamlMappingNode node) =>
        node.Children.Keys.OfType<YamlScalarNode>().Select(key => key.Value!);
}
