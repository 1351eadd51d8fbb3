using Microsoft.Extensions.Configuration;
using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Worker.Tests.Telemetry;

/// <summary>Which standard OpenTelemetry variables turn tracing on, and what is refused at start-up.</summary>
public sealed class TraceExportTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_an_endpoint_tracing_is_off(string? endpoint)
    {
        var export = TraceExport.From(Settings((TraceExport.EndpointSetting, endpoint), (TraceExport.ProtocolSetting, "http/protobuf")));

        Assert.False(export.IsOn);
    }

    [Fact]
    public void An_endpoint_turns_it_on_with_the_default_protocol_and_sampler()
    {
        var export = TraceExport.From(Settings((TraceExport.EndpointSetting, "http://collector:4317")));

        Assert.Equal(new TraceExport(new Uri("http://collector:4317"), "grpc", "parentbased_always_on"), export);
    }

    [Fact]
    public void The_traces_endpoint_wins_over_the_shared_one_and_the_sampler_is_reported_as_set()
    {
        var export = TraceExport.From(Settings(
            (TraceExport.EndpointSetting, "http://collector:4317"),
            (TraceExport.TracesEndpointSetting, "https://traces.example:4318/v1/traces"),
            (TraceExport.ProtocolSetting, "http/protobuf"),
            (TraceExport.SamplerSetting, "parentbased_traceidratio"),
            (TraceExport.SamplerArgumentSetting, "0.1")));

        Assert.Equal(new TraceExport(new Uri("https://traces.example:4318/v1/traces"), "http/protobuf", "parentbased_traceidratio 0.1"), export);
    }

    [Theory]
    [InlineData(TraceExport.EndpointSetting, "collector:4317")]
    [InlineData(TraceExport.EndpointSetting, "ftp://collector")]
    [InlineData(TraceExport.TracesEndpointSetting, "/v1/traces")]
    public void An_endpoint_that_is_not_an_http_address_is_refused_naming_the_setting(string setting, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TraceExport.From(Settings((setting, value))));

        Assert.StartsWith($"{setting}: '{value}'", error.Message);
    }

    [Fact]
    public void An_unknown_protocol_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TraceExport.From(Settings(
            (TraceExport.EndpointSetting, "http://collector:4318"), (TraceExport.ProtocolSetting, "http/json"))));

        Assert.Equal("OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' is not one of grpc, http/protobuf.", error.Message);
    }

    private static IConfiguration Settings(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
