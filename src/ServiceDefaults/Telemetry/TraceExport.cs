using Microsoft.Extensions.Configuration;

namespace Predictions.ServiceDefaults.Telemetry;

/// <summary>
/// Where traces go, read from the standard OpenTelemetry variables. No endpoint means tracing is off: nothing
/// listens to the activity sources, so no span is even created. The exporter reads the same variables itself
/// (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>_HEADERS</c>, …), as the SDK reads <c>OTEL_TRACES_SAMPLER</c> and <c>_ARG</c>;
/// they are read here only to refuse a wrong value at start-up and to say what is in use.
/// </summary>
public sealed record TraceExport(Uri? Endpoint, string Protocol, string Sampler)
{
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string TracesEndpointSetting = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public const string ProtocolSetting = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string SamplerSetting = "OTEL_TRACES_SAMPLER";
    public const string SamplerArgumentSetting = "OTEL_TRACES_SAMPLER_ARG";
    public const string ServiceNameSetting = "OTEL_SERVICE_NAME";

    private static readonly string[] Protocols = ["grpc", "http/protobuf"];

    public bool IsOn => Endpoint is not null;

    public static TraceExport From(IConfiguration configuration)
    {
        var (setting, endpoint) = NonEmpty(configuration, TracesEndpointSetting) is { } traces
            ? (TracesEndpointSetting, traces)
            : (EndpointSetting, NonEmpty(configuration, EndpointSetting));
        Uri? uri = null;
        if (endpoint is not null
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out uri) || uri.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"{setting}: '{endpoint}' is not an absolute http:// or https:// address of an OTLP receiver.");
        }

        var protocol = NonEmpty(configuration, ProtocolSetting) ?? "grpc";
        if (!Protocols.Contains(protocol))
        {
            throw new InvalidOperationException($"{ProtocolSetting}: '{protocol}' is not one of {string.Join(", ", Protocols)}.");
        }

        var sampler = NonEmpty(configuration, SamplerSetting) ?? "parentbased_always_on";
        if (NonEmpty(configuration, SamplerArgumentSetting) is { } argument)
        {
            sampler += $" {argument}";
        }

        return new TraceExport(uri, protocol, sampler);
    }

    private static string? NonEmpty(IConfiguration configuration, string key) =>
        configuration[key]?.Trim() is { Length: > 0 } value ? value : null;
}
