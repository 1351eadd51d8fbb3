using MassTransit;
using Predictions.Messaging.Rollouts;

namespace Predictions.Worker.Rollouts;

/// <summary>
/// Hears the rollout the gateways announce, on this worker's own queue: a newer state changes the lanes
/// (<see cref="RolloutFollower"/>), and every announcement is answered with this worker's readiness, so the gateways
/// know it is alive.
/// </summary>
[ExcludeFromConfigureEndpoints]
public sealed class RolloutAnnouncedConsumer(RolloutFollower follower) : IConsumer<RolloutAnnounced>
{
    public async Task Consume(ConsumeContext<RolloutAnnounced> context)
    {
        follower.Follow(context.Message.State);
        await context.Publish(follower.Report(), context.CancellationToken);
    }
}
