using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Predictions.ServiceDefaults.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry metrics from MassTransit's meters (messages consumed, faults, durations) and the .NET
    /// runtime's (thread pool, GC), for Prometheus to scrape at <c>/metrics</c>.
    /// </summary>
    public static IHostApplicationBuilder AddPrometheusMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter("MassTransit", "System.Runtime").AddPrometheusExporter());
        return builder;
    }

    /// <summary>The host's name and its own meters, beside the ones every host reports.</summary>
    public static IHostApplicationBuilder AddMetrics(this IHostApplicationBuilder builder, string serviceName, params string[] meters)
    {
        // OTEL_SERVICE_NAME names the host in traces and metrics when set, as everywhere OpenTelemetry runs.
        var name = builder.Configuration[TraceExport.ServiceNameSetting] is { Length: > 0 } configured ? configured : serviceName;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(name))
            .WithMetrics(metrics => metrics.AddMeter(meters));
        return builder;
    }
}
