using Predictions.Gateway.Routing;

namespace Predictions.Gateway.Publishing;

/// <summary>The broker returned a request for a lane no queue is bound to: no worker ever served that model version.</summary>
public sealed class LaneMissingException(ModelRouting.Lane lane, Exception innerException)
    : Exception($"No worker serves model {lane.Model.Name}:{lane.Model.Version}: the broker has no queue for its lane.", innerException)
{
    public ModelRouting.Lane Lane { get; } = lane;
}
