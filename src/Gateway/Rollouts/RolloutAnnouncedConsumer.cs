using MassTransit;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Rollouts;

/// <summary>Hears the state other gateways announce (and its own), on this gateway's queue: a newer one is taken at once.</summary>
[ExcludeFromConfigureEndpoints]
public sealed class RolloutAnnouncedConsumer(RolloutCoordinator coordinator) : IConsumer<RolloutAnnounced>
{
    public Task Consume(ConsumeContext<RolloutAnnounced> context)
    {
        coordinator.Take(context.Message.State);
        return Task.CompletedTask;
    }
}
