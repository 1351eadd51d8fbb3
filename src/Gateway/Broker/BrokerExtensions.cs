using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Predictions.Gateway.Broker;

public static class BrokerExtensions
{
    /// <summary>The gateway's own connection (<see cref="GatewayConnection"/>), registered once for all its users.</summary>
    public static IServiceCollection AddGatewayConnection(this IServiceCollection services)
    {
        services.TryAddSingleton<GatewayConnection>();
        return services;
    }
}
