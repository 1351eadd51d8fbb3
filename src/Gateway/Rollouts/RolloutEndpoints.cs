using MassTransit;
using Predictions.Messaging;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Rollouts;

/// <summary>The gateway's own queues on the rollout's exchanges: the announced state, and the workers' readiness.</summary>
public static class RolloutEndpoints
{
    public static void Configure(IBusRegistrationContext context, IRabbitMqBusFactoryConfigurator bus)
    {
        bus.ReceiveOnHostQueue<RolloutAnnouncedConsumer>(context, Topology.Rollouts);
        bus.ReceiveOnHostQueue<LaneReadinessConsumer>(context, Topology.Readiness);
    }
}
