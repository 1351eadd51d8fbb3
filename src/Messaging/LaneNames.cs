using Predictions.Contracts;

namespace Predictions.Messaging;

/// <summary>
/// Where a model version's requests wait: its lane, a work queue of its own bound to <see cref="Topology.Lanes"/> by
/// <c>{name}.{version}</c>. The default model's lane is <see cref="Topology.WorkQueue"/>, which requests naming no model
/// reach too; every other version's is <c>prediction-worker.{name}.{version}</c>.
/// </summary>
public static class LaneNames
{
    public static string RoutingKey(ModelIdentity model) => $"{model.Name}.{model.Version}";

    public static string Queue(ModelIdentity model, bool isDefault) => isDefault ? Topology.WorkQueue : $"{Topology.WorkQueue}.{RoutingKey(model)}";

    /// <summary>Where a lane's requests go when they were in the model as a worker died: computed alone there.</summary>
    public static string SuspectQueue(string laneQueue) => laneQueue + "_suspect";
}
