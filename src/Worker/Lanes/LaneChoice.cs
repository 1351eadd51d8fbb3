using Predictions.Contracts;

namespace Predictions.Worker.Lanes;

/// <summary>
/// Where a request is computed: in one of this worker's lanes (<see cref="Lane"/>), in another lane it is forwarded to
/// (<see cref="Elsewhere"/>), or nowhere (<see cref="Problem"/>, the reason it fails).
/// </summary>
public sealed record LaneChoice(ServedLane? Lane, ModelIdentity? Elsewhere, string? Problem)
{
    /// <summary>The model the request is for, when it names one the catalog has.</summary>
    public ModelIdentity? Model => Lane?.Identity ?? Elsewhere;
}
