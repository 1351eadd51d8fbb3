using MassTransit;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Rollouts;

/// <summary>Hears every worker's readiness on this gateway's own queue, to count ready workers per version.</summary>
[ExcludeFromConfigureEndpoints]
public sealed class LaneReadinessConsumer(RolloutCoordinator coordinator) : IConsumer<LaneReadinessReported>
{
    public Task Consume(ConsumeContext<LaneReadinessReported> context) => coordinator.HeardAsync(context.Message, context.CancellationToken);
}
