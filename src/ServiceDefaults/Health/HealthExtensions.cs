using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.ServiceDefaults.Health;

public static class HealthExtensions
{
    /// <summary>Checks tagged for the readiness probe.</summary>
    public const string Ready = "ready";

    /// <summary>Checks tagged for the liveness probe.</summary>
    public const string Live = "live";

    /// <summary>
    /// Readiness and liveness from the receive endpoints' real state: ready while every one consumes, live
    /// until one has not for <c>Health:MaxEndpointDowntime</c>; an endpoint the broker stopped feeding is restarted
    /// (<see cref="StarvedEndpointRestarter"/>).
    /// </summary>
    public static IHostApplicationBuilder AddReceiveEndpointHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EndpointHealthOptions>()
            .BindConfiguration(EndpointHealthOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReceiveEndpointMonitor>();
        builder.Services.AddReceiveEndpointObserver(services => services.GetRequiredService<ReceiveEndpointMonitor>());
        builder.Services.AddReceiveObserver(services => services.GetRequiredService<ReceiveEndpointMonitor>());
        builder.Services.AddPlainBrokerConnection();
        builder.Services.AddSingleton<IQueueProbe, RabbitQueueProbe>();
        builder.Services.AddHostedService<StarvedEndpointRestarter>();
        builder.Services.AddHealthChecks()
            .AddTypeActivatedCheck<ReceiveEndpointsHealthCheck>("receive-endpoints", failureStatus: null, tags: [Ready], ReceiveEndpointsHealthCheck.Probe.Readiness)
            .AddTypeActivatedCheck<ReceiveEndpointsHealthCheck>("receive-endpoints-downtime", failureStatus: null, tags: [Live], ReceiveEndpointsHealthCheck.Probe.Liveness);
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c> and <c>/health/ready</c>, each running the checks with its tag: <c>200</c> or
    /// <c>503</c>, with the report as plain text.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthProbes(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", Probe(Live));
        app.MapHealthChecks("/health/ready", Probe(Ready));
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
