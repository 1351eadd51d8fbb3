using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Resources;

namespace Predictions.ServiceDefaults.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry metrics named after the host, from its own meters, MassTransit's (messages consumed,
    /// faults, durations) and the .NET runtime's (thread pool, GC). Each host adds its Prometheus exporter.
    /// </summary>
    public static IHostApplicationBuilder AddMetrics(this IHostApplicationBuilder builder, string serviceName, params string[] meters)
    {
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics.AddMeter([.. meters, "MassTransit", "System.Runtime"]));
        return builder;
    }
}
