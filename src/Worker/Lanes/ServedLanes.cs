using Predictions.Contracts;
using Predictions.Messaging.Catalog;

namespace Predictions.Worker.Lanes;

/// <summary>
/// The lanes this worker serves, and where every other request it is handed belongs. The rollout adds lanes while the
/// worker runs (<see cref="Add"/>): readers see each set of lanes whole, never one half-added.
/// </summary>
public sealed class ServedLanes
{
    private readonly object _lock = new();
    private volatile Snapshot _current;

    public ServedLanes(IReadOnlyList<ServedLane> lanes, ModelIdentity defaultModel, ModelCatalog catalog)
    {
        DefaultModel = defaultModel;
        _current = new Snapshot(lanes, catalog);
    }

    public IReadOnlyList<ServedLane> All => _current.Lanes;

    /// <summary>The model of requests that name none.</summary>
    public ModelIdentity DefaultModel { get; }

    /// <summary>The catalog as last read: the rollout reads it again before each load, to find versions added since.</summary>
    public ModelCatalog Catalog => _current.Catalog;

    /// <summary>The lane whose work queue or suspect queue is <paramref name="queue"/>, if this worker serves it.</summary>
    public ServedLane? ForQueue(string? queue)
    {
        var current = _current;
        return queue is null ? null
            : current.ByQueue.TryGetValue(queue, out var lane) ? lane
            : current.BySuspectQueue.GetValueOrDefault(queue);
    }

    public ServedLane? ForModel(ModelIdentity model) => _current.ByModel.GetValueOrDefault(model);

    public bool IsWorkQueue(string? queue) => queue is not null && _current.ByQueue.ContainsKey(queue);

    public bool IsSuspectQueue(string? queue) => queue is not null && _current.BySuspectQueue.ContainsKey(queue);

    /// <summary>
    /// Adds the lane <paramref name="create"/> makes at the next index, handing it to <paramref name="adding"/> (the inference
    /// pool) first, so that lanes reach both in the same order.
    /// </summary>
    public ServedLane Add(Func<int, ServedLane> create, Action<ServedLane> adding)
    {
        lock (_lock)
        {
            var lane = create(_current.Lanes.Count);
            adding(lane);
            _current = new Snapshot([.. _current.Lanes, lane], _current.Catalog);
            return lane;
        }
    }

    public void Reloaded(ModelCatalog catalog)
    {
        lock (_lock)
        {
            _current = new Snapshot(_current.Lanes, catalog);
        }
    }

    /// <summary>
    /// Without a catalog or rollout: where <paramref name="request"/>, received from <paramref name="queue"/>, is computed,
    /// a request naming no model in the lane it came by, one naming a model in that model's lane.
    /// </summary>
    public LaneChoice Choose(PredictionRequest request, string? queue)
    {
        if (request.Model is null)
        {
            var lane = ForQueue(queue);
            return lane is not null ? new(lane, null, null) : Place(DefaultModel);
        }

        if (!ModelReference.TryParse(request.Model, out var reference))
        {
            return new(null, null, $"model '{request.Model}' is not {ModelReference.Shape}");
        }

        if (!Catalog.IsEmpty)
        {
            var (entry, problem) = Catalog.Resolve(reference);
            return entry is null ? new(null, null, problem) : Place(entry.Identity);
        }

        var served = All.FirstOrDefault(lane => lane.Identity.Name == reference.Name
            && (reference.Identity is null || reference.Identity == lane.Identity));
        return served is not null
            ? new(served, null, null)
            : new(null, null, $"no worker serves model '{reference}': this one serves {string.Join(", ", All)}");
    }

    private LaneChoice Place(ModelIdentity model) =>
        ForModel(model) is { } lane ? new(lane, null, null) : new(null, model, null);

    private sealed class Snapshot(IReadOnlyList<ServedLane> lanes, ModelCatalog catalog)
    {
        public IReadOnlyList<ServedLane> Lanes { get; } = lanes;

        public ModelCatalog Catalog { get; } = catalog;

        public Dictionary<string, ServedLane> ByQueue { get; } = lanes.ToDictionary(lane => lane.Queue);

        public Dictionary<string, ServedLane> BySuspectQueue { get; } = lanes.ToDictionary(lane => lane.SuspectQueue);

        public Dictionary<ModelIdentity, ServedLane> ByModel { get; } = lanes.ToDictionary(lane => lane.Identity);
    }
}
