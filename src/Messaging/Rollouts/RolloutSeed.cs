using Predictions.Messaging.Catalog;

namespace Predictions.Messaging.Rollouts;

/// <summary>
/// The rollout the settings give, before the admin API stores one: every catalog model's latest version loaded and
/// its stable alias, and the version <c>Models:Default</c> names loaded too. Every host computes the same from the same
/// catalog, so a worker started before any gateway serves what the gateways route to.
/// </summary>
public static class RolloutSeed
{
    public static RolloutState From(ModelCatalog catalog, string? defaultModel)
    {
        var pinned = defaultModel is not null && ModelReference.TryParse(defaultModel, out var reference) ? reference : null;
        var models = new Dictionary<string, ModelRollout>(StringComparer.Ordinal);
        foreach (var name in catalog.Names)
        {
            var latest = catalog.Resolve(new ModelReference(name, null)).Entry!.Identity;
            var latestVersion = int.Parse(latest.Version, System.Globalization.CultureInfo.InvariantCulture);
            List<int> loaded = [latestVersion];
            if (pinned is { Version: { } version } && pinned.Name == name && version != latestVersion)
            {
                loaded.Insert(0, version);
            }

            models[name] = new ModelRollout
            {
                Loaded = loaded,
                Aliases = new Dictionary<string, int> { [RouteReasons.StableAlias] = latestVersion },
            };
        }

        return new RolloutState { Revision = 0, Stored = false, Models = models };
    }
}
