using System.Globalization;
using Predictions.Messaging;
using YamlDotNet.RepresentationModel;

namespace Predictions.Deployment.Tests;

public sealed class ScalingTests
{
    [Fact]
    public void Keda_scales_the_worker_deployment_on_the_depth_of_the_work_queue()
    {
        var scaledObject = Assert.Single(Manifests.OfKind("ScaledObject"));
        var spec = scaledObject.Map("spec");
        Assert.Equal(Manifests.DeploymentOf(Manifests.WorkerImage).Map("metadata").Text("name"), spec.Map("scaleTargetRef").Text("name"));
        Assert.InRange(
            int.Parse(spec.Text("minReplicaCount")!, CultureInfo.InvariantCulture),
            1,
            int.Parse(spec.Text("maxReplicaCount")!, CultureInfo.InvariantCulture));

        var trigger = Assert.IsType<YamlMappingNode>(Assert.Single(spec.Seq("triggers")));
        Assert.Equal("rabbitmq", trigger.Text("type"));
        var metadata = trigger.Map("metadata");
        Assert.Equal(Topology.WorkQueue, metadata.Text("queueName"));
        Assert.Equal("QueueLength", metadata.Text("mode"));
        Assert.True(int.Parse(metadata.Text("value")!, CultureInfo.InvariantCulture) > 0);

        // The broker's address comes from a Secret, through a TriggerAuthentication.
        var authentication = Manifests.Named("TriggerAuthentication", trigger.Map("authenticationRef").Text("name")!);
        var host = Assert.Single(
            authentication.Map("spec").Seq("secretTargetRef").OfType<YamlMappingNode>(),
            target => target.Text("parameter") == "host");
        Assert.False(string.IsNullOrEmpty(host.Text("name")));
        Assert.Null(metadata.Find("host"));
    }

    [Fact]
    public void The_kustomization_lists_every_manifest_in_the_folder_and_nothing_else()
    {
        var listed = Manifests.Kustomization.Seq("resources").OfType<YamlScalarNode>()
            .Select(resource => resource.Value!)
            .Order(StringComparer.Ordinal);
        var files = Manifests.Kubernetes.Select(manifest => manifest.File).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(files, listed);
    }
}
