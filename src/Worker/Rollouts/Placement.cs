using Predictions.Contracts;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;

namespace Predictions.Worker.Rollouts;

/// <summary>
/// Where a request goes and why (<see cref="Route"/>): computed in one of this worker's lanes, whose share of the pool is
/// kept for it by <see cref="Expected"/>; forwarded to the lane of <see cref="Elsewhere"/>; or failed for <see cref="Problem"/>.
/// </summary>
public sealed record Placement(
    ServedLane? Lane, InferencePool.ExpectedScope? Expected, ModelIdentity? Elsewhere, string? Route, ModelIdentity? Model, string? Problem)
{
    /// <summary>The version that also computes a copy of the request, when this worker routed it into the rollout's shadow share.</summary>
    public ModelIdentity? Shadow { get; init; }

    public static Placement Compute(ServedLane lane, InferencePool.ExpectedScope expected, string? route) =>
        new(lane, expected, null, route, lane.Identity, null);

    public static Placement Forward(ModelIdentity model, string? route) => new(null, null, model, route, model, null);

    public static Placement Fail(ModelIdentity? model, string? route, string problem) => new(null, null, null, route, model, problem);
}
