namespace Predictions.Messaging.Rollouts;

/// <summary>A host that just started asks the gateways, on <see cref="Topology.Rollouts"/>, to announce the state now.</summary>
public sealed record RolloutRequested
{
    public required string Host { get; init; }
}
