using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Predictions.ServiceDefaults.Health;
using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.ServiceDefaults;

/// <summary>What every host has alike: health probes, metrics and resilient outgoing HTTP.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// OpenTelemetry metrics for Prometheus, traces over OTLP, and the
    /// standard resilience handler (timeouts, retries, circuit breaker) on every <see cref="HttpClient"/>.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();
        builder.AddPrometheusMetrics();
        builder.AddTracing();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        return builder;
    }

    /// <summary><c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c>.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthProbes();
        app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
