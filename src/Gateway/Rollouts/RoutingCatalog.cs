using Microsoft.Extensions.Options;
using Predictions.Messaging.Catalog;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Rollouts;

/// <summary>
/// The catalog the gateway routes by: read at start-up (a catalog that cannot be read stops the start), and read again when
/// the rollout names a version it does not have, as a version may be added to the catalog while the service runs.
/// </summary>
public sealed class RoutingCatalog
{
    private readonly string _folder;
    private volatile ModelCatalog _catalog;

    public RoutingCatalog(IOptions<CatalogOptions> options, IHostEnvironment environment)
    {
        var settings = options.Value;
        _folder = Path.GetFullPath(settings.Catalog, environment.ContentRootPath);
        _catalog = ModelCatalog.Load(_folder);
        Default = settings.Default;
        DefaultModel = Default is { } reference ? _catalog.Find(reference, "Models:Default").Identity : null;
        Seed = RolloutSeed.From(_catalog, Default);
    }

    public ModelCatalog Current => _catalog;

    /// <summary><c>Models:Default</c>: a name or name:version; null without a catalog.</summary>
    public string? Default { get; }

    /// <summary>The version <see cref="Default"/> gave at start-up: its lane is <c>prediction-worker</c>.</summary>
    public Contracts.ModelIdentity? DefaultModel { get; }

    /// <summary>The rollout the settings give, until one is stored.</summary>
    public RolloutState Seed { get; }

    /// <summary>Reads the catalog again; a catalog that no longer reads keeps the one held (and the error is thrown).</summary>
    public ModelCatalog Reload()
    {
        _catalog = ModelCatalog.Load(_folder);
        return _catalog;
    }

    /// <summary>Reads the catalog again when <paramref name="state"/> names a version it lacks.</summary>
    public void Refresh(RolloutState state)
    {
        var catalog = _catalog;
        var missing = state.Models.Any(model => model.Value.Loaded.Any(version =>
            catalog.Resolve(new ModelReference(model.Key, version)).Entry is null));
        if (missing)
        {
            try
            {
                Reload();
            }
            catch (InvalidDataException)
            {
                // Routing goes on with the catalog held; the admin API reports the error on the next load.
            }
        }
    }
}
