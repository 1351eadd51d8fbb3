using Predictions.Worker.Lanes;

namespace Predictions.Worker.Rollouts;

/// <summary>Connects the endpoints of a lane the rollout added to the running bus (the worker's <c>LaneEndpoints</c>).</summary>
public interface ILaneConnector
{
    /// <summary>Returns once the lane's work and suspect endpoints both consume.</summary>
    Task ConnectAsync(ServedLane lane, CancellationToken cancellationToken);
}
