using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Messaging.Catalog;

namespace Predictions.Gateway.Routing;

/// <summary>Which lane a request naming a model goes to: the version it names, else the catalog's latest of that model.</summary>
public sealed class ModelRouting
{
    private readonly ModelCatalog _catalog;
    private readonly ModelIdentity? _default;

    public ModelRouting(IOptions<CatalogOptions> options, IHostEnvironment environment)
    {
        var settings = options.Value;
        _catalog = ModelCatalog.Load(Path.GetFullPath(settings.Catalog, environment.ContentRootPath));
        _default = settings.Default is { } reference ? _catalog.Find(reference, "Models:Default").Identity : null;
    }

    /// <summary>A model version's lane: where to publish, and the queue that holds its requests.</summary>
    public sealed record Lane(ModelIdentity Model, string RoutingKey, string Queue);

    /// <summary>
    /// The lane of <paramref name="model"/>, or why there is none. Without a catalog, a reference with a version goes by its
    /// routing key alone. Whether a worker serves the lane is the broker's to say, by the lane's binding.
    /// </summary>
    public (Lane? Lane, string? Problem) Route(string model)
    {
        if (!ModelReference.TryParse(model, out var reference))
        {
            return (null, $"'{model}' is not {ModelReference.Shape}");
        }

        var identity = reference.Identity;
        if (identity is null || !_catalog.IsEmpty)
        {
            var (entry, problem) = _catalog.Resolve(reference);
            if (entry is null)
            {
                return (null, problem);
            }

            identity = entry.Identity;
        }

        return (new Lane(identity, LaneNames.RoutingKey(identity), LaneNames.Queue(identity, identity == _default)), null);
    }
}
