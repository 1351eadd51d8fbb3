using MassTransit;

namespace Predictions.Messaging.Rollouts;

/// <summary>
/// What one worker reports of its lanes on <see cref="Topology.Readiness"/>, when one changes and each time it hears the
/// rollout announced: the gateways count ready workers per version from it, and forget a worker that stops reporting.
/// </summary>
// Named here rather than in Topology.UsePredictionTopology, which knows no rollout message: a fanout exchange,
// as MassTransit makes every exchange it publishes to.
[EntityName(Topology.Readiness)]
public sealed record LaneReadinessReported
{
    public required string Worker { get; init; }

    public required IReadOnlyList<LaneReadiness> Lanes { get; init; }

    public required DateTimeOffset At { get; init; }
}

/// <summary>One version on one worker: <see cref="LaneStates"/>, why it failed if it did, and how often it was loaded.</summary>
public sealed record LaneReadiness
{
    public required string Name { get; init; }

    public required int Version { get; init; }

    public required string State { get; init; }

    public string? Reason { get; init; }

    /// <summary>How many times this worker loaded the version's model: once, however many load calls there were.</summary>
    public int Loads { get; init; }
}

/// <summary>A version's state on a worker.</summary>
public static class LaneStates
{
    public const string Loading = "loading";

    /// <summary>Loaded, checked, warmed up, and taking requests.</summary>
    public const string Ready = "ready";

    /// <summary>Its load failed: <see cref="LaneReadiness.Reason"/> says why. Nothing else changed.</summary>
    public const string Failed = "failed";

    /// <summary>Unloaded: what is still in the worker finishes, what still arrives is re-routed or failed.</summary>
    public const string Draining = "draining";
}
