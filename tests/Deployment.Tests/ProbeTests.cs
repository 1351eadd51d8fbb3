using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Predictions.ServiceDefaults;
using YamlDotNet.RepresentationModel;

namespace Predictions.Deployment.Tests;

/// <summary>The orchestrator asks each host where it answers: the paths both hosts map, on the port each listens at.</summary>
public sealed class ProbeTests
{
    [Theory]
    [InlineData(Manifests.GatewayImage, "ASPNETCORE_URLS")]
    [InlineData(Manifests.WorkerImage, "Probes__Url")]
    public void Probes_ask_the_paths_the_hosts_map_on_the_port_the_host_listens_at(string image, string listenSetting)
    {
        var deployment = Manifests.DeploymentOf(image);
        var container = Manifests.Container(deployment);
        var configMap = Manifests.Named(
            "ConfigMap", Assert.Single(container.Seq("envFrom").OfType<YamlMappingNode>()).Map("configMapRef").Text("name")!);
        var port = new Uri(configMap.Map("data").Text(listenSetting)!.Replace("+", "localhost", StringComparison.Ordinal)).Port;
        var mapped = MappedPaths();

        var liveness = container.Map("livenessProbe").Map("httpGet");
        var readiness = container.Map("readinessProbe").Map("httpGet");
        Assert.Equal("/health/live", liveness.Text("path"));
        Assert.Equal("/health/ready", readiness.Text("path"));
        Assert.Contains("/health/live", mapped);
        Assert.Contains("/health/ready", mapped);
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), liveness.Text("port"));
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), readiness.Text("port"));
        Assert.Contains(
            container.Seq("ports").OfType<YamlMappingNode>(),
            entry => entry.Text("containerPort") == port.ToString(CultureInfo.InvariantCulture));

        // The Service in front of these pods sends to that port.
        var podLabels = deployment.Map("spec").Map("template").Map("metadata").Map("labels");
        var service = Assert.Single(Manifests.OfKind("Service"), candidate => Selects(candidate.Map("spec").Map("selector"), podLabels));
        Assert.Contains(
            service.Map("spec").Seq("ports").OfType<YamlMappingNode>(),
            entry => entry.Text("targetPort") == port.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(Manifests.GatewayImage)]
    [InlineData(Manifests.WorkerImage)]
    public void Each_deployment_has_a_disruption_budget_for_its_pods(string image)
    {
        var podLabels = Manifests.DeploymentOf(image).Map("spec").Map("template").Map("metadata").Map("labels");

        var budget = Assert.Single(
            Manifests.OfKind("PodDisruptionBudget"),
            candidate => Selects(candidate.Map("spec").Map("selector").Map("matchLabels"), podLabels));
        Assert.Equal("1", budget.Map("spec").Text("maxUnavailable"));
    }

    /// <summary>The routes <c>MapDefaultEndpoints()</c> maps, which both hosts' Program.cs call.</summary>
    private static HashSet<string> MappedPaths()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddServiceDefaults();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        return
        [
            .. ((IEndpointRouteBuilder)app).DataSources
                .SelectMany(source => source.Endpoints)
                .OfType<RouteEndpoint>()
                .Select(endpoint => "/" + endpoint.RoutePattern.RawText!.TrimStart('/')),
        ];
    }

    private static bool Selects(YamlMappingNode selector, YamlMappingNode labels) =>
        selector.Children.Count > 0
        && selector.Children.All(pair => labels.Children.TryGetValue(pair.Key, out var value) && value.Equals(pair.Value));
}
