namespace Predictions.Gateway.Admin;

/// <summary>
/// The body of <c>PUT /admin/models/{name}/canary</c> and <c>…/shadow</c>: the version, its share in percent, and for a
/// canary its guard's limits (the <c>Rollouts:Guard</c> defaults when left out).
/// </summary>
public sealed record SplitRequest(int Version, double Percent, double? MaxErrorRate = null, double? MaxP95Milliseconds = null);
