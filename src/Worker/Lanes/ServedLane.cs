using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Worker.Models;

namespace Predictions.Worker.Lanes;

/// <summary>A model version this worker serves: its queue, its model, its batches and its weight in the inference pool.</summary>
public sealed class ServedLane(int index, IPredictionModel model, bool isDefault, int? maxBatchSize, int share)
{
    /// <summary>Its place among the worker's lanes.</summary>
    public int Index { get; } = index;

    public IPredictionModel Model { get; } = model;

    public ModelIdentity Identity => Model.Identity;

    /// <summary>Whether requests naming no model come here: its queue is then <c>prediction-worker</c>.</summary>
    public bool IsDefault { get; } = isDefault;

    public string Queue { get; } = LaneNames.Queue(model.Identity, isDefault);

    public string SuspectQueue => LaneNames.SuspectQueue(Queue);

    public string RoutingKey => LaneNames.RoutingKey(Identity);

    /// <summary>Inputs one model call may take, as the catalog's manifest says; null without a catalog: <c>Inference:MaxBatchSize</c>.</summary>
    public int? MaxBatchSize { get; } = maxBatchSize;

    public int Share { get; } = share;

    public override string ToString() => $"{Identity.Name}:{Identity.Version}";
}
