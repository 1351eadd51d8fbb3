using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Worker.Models;

namespace Predictions.Worker.Lanes;

/// <summary>
/// A model version this worker serves: its queue, its model, its batches and its weight in the inference pool. A lane
/// the rollout unloads drains (<see cref="IsDraining"/>): it computes only what was already in the worker, and its model
/// is released once the pool holds none of its requests; its queue is still consumed, to re-route or fail what arrives.
/// </summary>
public sealed class ServedLane
{
    private IPredictionModel? _model;

    public ServedLane(int index, IPredictionModel model, bool isDefault, int? maxBatchSize, int share, bool pinned = false)
        : this(index, model.Identity, isDefault, maxBatchSize, share, pinned)
    {
        _model = model;
        IsDraining = false;
        Loads = 1;
    }

    /// <summary>A lane drained from the start: its version was unloaded before this worker came, yet requests may still arrive.</summary>
    public ServedLane(int index, ModelIdentity identity, bool isDefault, int? maxBatchSize, int share, bool pinned = false)
    {
        Index = index;
        Identity = identity;
        IsDefault = isDefault;
        MaxBatchSize = maxBatchSize;
        Share = share;
        Pinned = pinned;
        Queue = LaneNames.Queue(identity, isDefault);
        IsDraining = true;
    }

    /// <summary>Its place among the worker's lanes.</summary>
    public int Index { get; }

    /// <summary>The model; only a lane drained to the end has none.</summary>
    public IPredictionModel Model => _model ?? throw new InvalidOperationException($"The model {this} was unloaded.");

    public ModelIdentity Identity { get; }

    /// <summary>Whether requests naming no model come here: its queue is then <c>prediction-worker</c>.</summary>
    public bool IsDefault { get; }

    /// <summary>Named with its version in <c>Models:Serve</c>: served whatever the rollout says.</summary>
    public bool Pinned { get; }

    public string Queue { get; }

    public string SuspectQueue => LaneNames.SuspectQueue(Queue);

    public string RoutingKey => LaneNames.RoutingKey(Identity);

    /// <summary>Inputs one model call may take, as the catalog's manifest says; null without a catalog: <c>Inference:MaxBatchSize</c>.</summary>
    public int? MaxBatchSize { get; }

    public int Share { get; }

    /// <summary>Unloaded by the rollout: takes no new request into the model. Set and read under the inference pool's lock.</summary>
    public bool IsDraining { get; private set; }

    /// <summary>How many times this worker loaded the lane's model.</summary>
    public int Loads { get; private set; }

    /// <summary>Serving with <paramref name="model"/>, loaded (again) by the rollout. Called under the inference pool's lock.</summary>
    internal void Serve(IPredictionModel model)
    {
        _model = model;
        IsDraining = false;
        Loads++;
    }

    internal void Drain() => IsDraining = true;

    /// <summary>The model, taken from the lane once drained, for its owner to release.</summary>
    internal IPredictionModel? TakeModel()
    {
        var model = _model;
        _model = null;
        return model;
    }

    public bool HasModel => _model is not null;

    public override string ToString() => $"{Identity.Name}:{Identity.Version}";
}
