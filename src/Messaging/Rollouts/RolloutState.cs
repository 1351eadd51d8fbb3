namespace Predictions.Messaging.Rollouts;

/// <summary>
/// Which model versions the service serves and how requests naming a model without a version reach them: what the
/// admin API changes, stored by the gateways and announced to every host. <see cref="Revision"/> grows with each change,
/// so a host never goes back to an older state it hears late.
/// </summary>
public sealed record RolloutState
{
    public long Revision { get; init; }

    /// <summary>Whether the state was stored by the admin API; false while it is the one the settings give (<see cref="RolloutSeed"/>).</summary>
    public bool Stored { get; init; }

    public IReadOnlyDictionary<string, ModelRollout> Models { get; init; } = new Dictionary<string, ModelRollout>();

    public ModelRollout? Of(string name) => Models.GetValueOrDefault(name);

    public RolloutState With(string name, ModelRollout model) =>
        this with { Models = new Dictionary<string, ModelRollout>(Models) { [name] = model } };
}

/// <summary>One model's versions, aliases and traffic splits.</summary>
public sealed record ModelRollout
{
    /// <summary>Versions workers load and requests may be routed to.</summary>
    public IReadOnlyList<int> Loaded { get; init; } = [];

    /// <summary>Versions unloaded: routed to no more, their lanes drained by re-routing or failing what still arrives.</summary>
    public IReadOnlyList<int> Retired { get; init; } = [];

    /// <summary>Names for versions; <see cref="RouteReasons.StableAlias"/> is where a request naming the model alone goes.</summary>
    public IReadOnlyDictionary<string, int> Aliases { get; init; } = new Dictionary<string, int>();

    /// <summary>A share of the requests naming the model alone, by their sticky key, to another version.</summary>
    public TrafficSplit? Canary { get; init; }

    /// <summary>A share of the requests naming the model alone computed again by another version, audited, never answered.</summary>
    public TrafficSplit? Shadow { get; init; }

    public bool IsLoaded(int version) => Loaded.Contains(version);

    /// <summary>Unloaded and not loaded again: its lane drains.</summary>
    public bool IsRetired(int version) => Retired.Contains(version) && !IsLoaded(version);

    public int? Stable => Aliases.TryGetValue(RouteReasons.StableAlias, out var version) ? version : null;
}

/// <summary>
/// A share of traffic (0 to 100 percent) sent to <see cref="Version"/>. For a canary, the guard's limits (null: the
/// settings' defaults), and why the guard stopped it, if it did.
/// </summary>
public sealed record TrafficSplit
{
    public required int Version { get; init; }

    public required double Percent { get; init; }

    public double? MaxErrorRate { get; init; }

    public double? MaxP95Milliseconds { get; init; }

    public string? StoppedReason { get; init; }

    public DateTimeOffset? StoppedAt { get; init; }
}
