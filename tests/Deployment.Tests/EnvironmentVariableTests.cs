using YamlDotNet.RepresentationModel;

namespace Predictions.Deployment.Tests;

/// <summary>A misspelt variable is silently ignored by .NET configuration: here it fails instead.</summary>
public sealed class EnvironmentVariableTests
{
    [Fact]
    public void The_settings_catalogue_knows_each_hosts_own_settings_and_nothing_else()
    {
        Assert.True(HostSettings.Gateway.Reads("Gateway__MaxWait"));
        Assert.True(HostSettings.Gateway.Reads("Auth__ApiKeys__3__Key"));
        Assert.True(HostSettings.Gateway.Reads("Auth__RateLimit__PermitsPerSecond"));
        Assert.True(HostSettings.Gateway.Reads("ConnectionStrings__Results"));
        Assert.True(HostSettings.Gateway.Reads("connectionstrings__rabbitmq"));
        Assert.True(HostSettings.Gateway.Reads("MassTransit__StopTimeout"));
        Assert.True(HostSettings.Gateway.Reads("ASPNETCORE_URLS"));
        Assert.True(HostSettings.Worker.Reads("Model__Features__1"));
        Assert.True(HostSettings.Worker.Reads("Probes__Url"));
        Assert.True(HostSettings.Worker.Reads("ConnectionStrings__Audit"));
        Assert.True(HostSettings.Worker.Reads("WorkQueue__DeliveryLimit"));

        Assert.False(HostSettings.Gateway.Reads("Gateway__MaxWiat"));
        Assert.False(HostSettings.Gateway.Reads("Auth__ApiKeys__first__Key"));
        Assert.False(HostSettings.Gateway.Reads("Auth__ApiKeys__0"));
        Assert.False(HostSettings.Gateway.Reads("Auth__Enabled"));
        Assert.False(HostSettings.Gateway.Reads("ConnectionStrings__Audit"));
        Assert.False(HostSettings.Gateway.Reads("Probes__Url"));
        Assert.False(HostSettings.Worker.Reads("ConnectionStrings__Results"));
        Assert.False(HostSettings.Worker.Reads("ASPNETCORE_URLS"));
        Assert.False(HostSettings.Worker.Reads("Inference__MaxConcurency"));
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL")]
    [InlineData("OTEL_EXPORTER_OTLP_HEADERS")]
    [InlineData("OTEL_SERVICE_NAME")]
    [InlineData("OTEL_RESOURCE_ATTRIBUTES")]
    [InlineData("OTEL_TRACES_SAMPLER")]
    [InlineData("OTEL_TRACES_SAMPLER_ARG")]
    [InlineData("OTEL_BSP_SCHEDULE_DELAY")]
    public void Both_hosts_read_the_standard_OpenTelemetry_variables(string variable)
    {
        Assert.True(HostSettings.Gateway.Reads(variable));
        Assert.True(HostSettings.Worker.Reads(variable));
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPIONT")]
    [InlineData("OTEL_TRACE_SAMPLER")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT__0")]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")]
    public void A_misspelt_or_unused_OpenTelemetry_variable_is_no_setting(string variable)
    {
        Assert.False(HostSettings.Gateway.Reads(variable));
        Assert.False(HostSettings.Worker.Reads(variable));
    }

    [Fact]
    public void Docker_compose_passes_tracing_through_to_every_gateway_and_worker_and_runs_jaeger_only_in_its_profile()
    {
        var services = ServiceEnvironment.InCompose();
        Assert.All(services, service => Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", service.Variables));

        var jaeger = Manifests.Compose.Map("services").Map("jaeger");
        Assert.Equal(["tracing"], jaeger.Seq("profiles").OfType<YamlScalarNode>().Select(profile => profile.Value));
        Assert.StartsWith("jaegertracing/all-in-one:1.", jaeger.Text("image"), StringComparison.Ordinal);
        Assert.All(jaeger.Seq("ports").OfType<YamlScalarNode>(), port => Assert.StartsWith("127.0.0.1:", port.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_variable_docker_compose_gives_a_gateway_or_worker_is_a_setting_that_host_reads() =>
        AssertEveryVariableIsRead(ServiceEnvironment.InCompose());

    [Fact]
    public void Every_variable_the_kubernetes_manifests_give_a_gateway_or_worker_is_a_setting_that_host_reads() =>
        AssertEveryVariableIsRead(ServiceEnvironment.InKubernetes());

    [Fact]
    public void Docker_compose_keeps_both_stores_and_no_file_in_postgres()
    {
        var variables = Manifests.Compose.Map("services").Children.Values.OfType<YamlMappingNode>()
            .SelectMany(service => service.Find("environment") is YamlMappingNode environment
                ? environment.Children
                : Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            .Select(variable => (Name: ((YamlScalarNode)variable.Key).Value!, Value: ((YamlScalarNode)variable.Value).Value!))
            .ToList();

        foreach (var store in new[] { "ConnectionStrings__Results", "ConnectionStrings__Audit" })
        {
            var values = variables.Where(variable => variable.Name == store).Select(variable => variable.Value).ToList();
            Assert.NotEmpty(values);
            Assert.All(values, value => Assert.Contains("Host=postgres;", value, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(variables, variable => variable.Value.Contains("Data Source=", StringComparison.OrdinalIgnoreCase));
    }

    private static void AssertEveryVariableIsRead(IReadOnlyList<ServiceEnvironment> services)
    {
        // Both hosts deployed, each with something to check: an empty list would pass anything.
        Assert.Contains(services, service => service.Image == Manifests.GatewayImage && service.Variables.Count > 0);
        Assert.Contains(services, service => service.Image == Manifests.WorkerImage && service.Variables.Count > 0);

        var unknown = services
            .SelectMany(service => service.Variables
                .Where(variable => !service.Host.Reads(variable))
                .Select(variable => $"{service.Where}: {variable} is no setting of the {service.Host.Host}"))
            .ToList();
        Assert.True(unknown.Count == 0, string.Join('\n', unknown));
    }
}
