using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Predictions.ServiceDefaults.Health;

namespace Predictions.Gateway.Probes;

public static class ProbeExtensions
{
    /// <summary>Health checks (MassTransit adds the broker's) and Prometheus metrics.</summary>
    public static IHostApplicationBuilder AddProbes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        return builder;
    }

    /// <summary><c>/health/live</c> (no receive endpoint down for longer than <c>Health:MaxEndpointDowntime</c>),
    /// <c>/health/ready</c> (every receive endpoint consuming) and <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapProbes(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", Probe(HealthExtensions.Live));
        app.MapHealthChecks("/health/ready", Probe(HealthExtensions.Ready));
        app.MapPrometheusScrapingEndpoint();
        return app;
    }

    private static HealthCheckOptions Probe(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = (context, report) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(HealthReportText.Format(report));
        },
    };
}
