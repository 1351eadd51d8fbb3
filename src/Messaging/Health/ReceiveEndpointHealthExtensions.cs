using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Predictions.Messaging.Broker;
using static Predictions.ServiceDefaults.Health.HealthExtensions;

namespace Predictions.Messaging.Health;

public static class ReceiveEndpointHealthExtensions
{
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
            .AddTypeActivatedCheck<ReceiveEndpointsHealthCheck>(
                "receive-endpoints", failureStatus: null, tags: [Ready], ReceiveEndpointsHealthCheck.Probe.Readiness)
            .AddTypeActivatedCheck<ReceiveEndpointsHealthCheck>(
                "receive-endpoints-downtime", failureStatus: null, tags: [Live], ReceiveEndpointsHealthCheck.Probe.Liveness);
        return builder;
    }
}
