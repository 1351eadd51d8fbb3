using MassTransit;

namespace Predictions.Messaging.Rollouts;

/// <summary>
/// The whole rollout state, announced by a gateway on <see cref="Topology.Rollouts"/> when it changes and every
/// <c>Rollouts:AnnounceInterval</c>: every gateway and worker hears it on a queue of its own and takes it when its
/// revision is newer than the one it has.
/// </summary>
// Named here rather than in Topology.UsePredictionTopology, which knows no rollout message: a fanout exchange,
// as MassTransit makes every exchange it publishes to.
[EntityName(Topology.Rollouts)]
public sealed record RolloutAnnounced
{
    public required RolloutState State { get; init; }

    /// <summary>The gateway that announced it (host name and process id).</summary>
    public required string Gateway { get; init; }
}
