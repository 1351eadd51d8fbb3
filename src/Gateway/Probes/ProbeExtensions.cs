using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Predictions.Gateway.Telemetry;
using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Gateway.Probes;

public static class ProbeExtensions
{
    /// <summary>Health checks (MassTransit adds the broker's) and Prometheus metrics.</summary>
    public static IHostApplicationBuilder AddProbes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.AddMetrics("prediction-gateway", GatewayMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting")
            .WithMetrics(metrics => metrics.AddPrometheusExporter());
        return builder;
    }

    /// <summary><c>/health/live</c> (the process answers), <c>/health/ready</c> (broker connected) and <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapProbes(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
