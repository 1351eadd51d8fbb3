using Predictions.Gateway.Rollouts;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Admin;

/// <summary>One model as <c>GET /admin/models</c> shows it: its rollout, and per version the workers and recent figures.</summary>
public sealed record ModelView(
    string Name,
    long Revision,
    IReadOnlyList<int> CatalogVersions,
    IReadOnlyList<int> Loaded,
    IReadOnlyList<int> Retired,
    IReadOnlyDictionary<string, int> Aliases,
    TrafficSplit? Canary,
    TrafficSplit? Shadow,
    IReadOnlyList<VersionView> Versions);

/// <summary>A version: the workers that reported it, how many have it ready, and its figures over <c>Rollouts:Guard:Window</c>.</summary>
public sealed record VersionView(int Version, int ReadyOn, IReadOnlyList<WorkerLaneView> Workers, VersionFigures Figures);

/// <summary>One worker's state for a version: loading, ready, failed (with why) or draining.</summary>
public sealed record WorkerLaneView(string Worker, string State, string? Reason, int Loads);
