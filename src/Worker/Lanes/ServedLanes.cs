using Predictions.Contracts;
using Predictions.Messaging.Catalog;

namespace Predictions.Worker.Lanes;

/// <summary>The lanes this worker serves, and where every other request it is handed belongs.</summary>
public sealed class ServedLanes
{
    private readonly Dictionary<string, ServedLane> _byQueue;
    private readonly Dictionary<string, ServedLane> _bySuspectQueue;
    private readonly Dictionary<ModelIdentity, ServedLane> _byModel;

    public ServedLanes(IReadOnlyList<ServedLane> lanes, ModelIdentity defaultModel, ModelCatalog catalog)
    {
        All = lanes;
        DefaultModel = defaultModel;
        Catalog = catalog;
        _byQueue = lanes.ToDictionary(lane => lane.Queue);
        _bySuspectQueue = lanes.ToDictionary(lane => lane.SuspectQueue);
        _byModel = lanes.ToDictionary(lane => lane.Identity);
    }

    public IReadOnlyList<ServedLane> All { get; }

    /// <summary>The model of requests that name none.</summary>
    public ModelIdentity DefaultModel { get; }

    public ModelCatalog Catalog { get; }

    /// <summary>The lane whose work queue or suspect queue is <paramref name="queue"/>, if this worker serves it.</summary>
    public ServedLane? ForQueue(string? queue) =>
        queue is null ? null
        : _byQueue.TryGetValue(queue, out var lane) ? lane
        : _bySuspectQueue.GetValueOrDefault(queue);

    public bool IsWorkQueue(string? queue) => queue is not null && _byQueue.ContainsKey(queue);

    public bool IsSuspectQueue(string? queue) => queue is not null && _bySuspectQueue.ContainsKey(queue);

    /// <summary>
    /// Where <paramref name="request"/>, received from <paramref name="queue"/>, is computed: a request naming no model
    /// in the lane it came by (the default model's when it came by none of them), one naming a model in that model's lane.
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

        // Without a catalog, a worker knows the models it serves and no other.
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
        _byModel.TryGetValue(model, out var lane) ? new(lane, null, null) : new(null, model, null);
}
