using Predictions.Contracts;
using Predictions.Messaging.Catalog;

namespace Predictions.Messaging.Rollouts;

/// <summary>
/// Which version computes a request, and why (<see cref="RouteReasons"/>): the version it names; else the alias it
/// names; else, for a request naming the model alone, the canary's version when its sticky key falls in the canary's
/// share, the stable alias's otherwise, and the highest loaded version when there is no stable alias. The same in every
/// gateway and worker for the same state, so any of them routes a request the same way.
/// </summary>
public static class ModelRouter
{
    /// <summary>
    /// Routes <paramref name="model"/> (null: <paramref name="defaultModel"/>, <c>Models:Default</c>) for a caller whose
    /// sticky key is <paramref name="stickyKey"/>.
    /// </summary>
    public static RouteDecision Route(RolloutState state, ModelCatalog catalog, string? model, string? defaultModel, string stickyKey)
    {
        var named = model ?? defaultModel;
        if (named is null)
        {
            return RouteDecision.Refused(RouteProblem.Unknown, "the request names no model and the service has no default model");
        }

        if (!ModelReference.TryParse(named, out var reference))
        {
            return RouteDecision.Refused(RouteProblem.Unknown, $"'{named}' is not {ModelReference.Shape}");
        }

        var rollout = state.Of(reference.Name);
        if (reference.Version is { } version)
        {
            var (entry, problem) = catalog.Resolve(reference);
            if (entry is null)
            {
                return RouteDecision.Refused(RouteProblem.Unknown, problem!);
            }

            if (rollout?.IsRetired(version) == true)
            {
                return RouteDecision.Refused(RouteProblem.NotServed, $"model {reference} was unloaded: no worker serves it any more");
            }

            return new(entry.Identity, model is null ? RouteReasons.Default : RouteReasons.Explicit, null, null, null);
        }

        if (reference.Alias is { } alias)
        {
            return rollout?.Aliases.TryGetValue(alias, out var aliased) == true
                ? new(ModelReference.Identify(reference.Name, aliased), RouteReasons.Alias, null, null, null)
                : RouteDecision.Refused(RouteProblem.Unknown, $"model '{reference.Name}' has no alias '{alias}'");
        }

        if (rollout is null || rollout.Loaded.Count == 0)
        {
            // A model the rollout does not know: its latest version in the catalog, as without rollouts.
            var (entry, problem) = catalog.Resolve(reference);
            return entry is null
                ? RouteDecision.Refused(RouteProblem.Unknown, problem!)
                : new(entry.Identity, RouteReasons.Latest, null, null, null);
        }

        var (chosen, route) = rollout.Canary is { Percent: > 0 } canary
            && StickyBuckets.Within($"canary/{reference.Name}", stickyKey, canary.Percent)
            ? (canary.Version, RouteReasons.Canary)
            : rollout.Stable is { } stable ? (stable, RouteReasons.Alias)
            : (rollout.Loaded.Max(), RouteReasons.Latest);

        ModelIdentity? shadow = rollout.Shadow is { Percent: > 0 } split
            && split.Version != chosen
            && StickyBuckets.Within($"shadow/{reference.Name}", stickyKey, split.Percent)
            ? ModelReference.Identify(reference.Name, split.Version)
            : null;
        return new(ModelReference.Identify(reference.Name, chosen), route, shadow, null, null);
    }
}

/// <summary>Why a request cannot be routed: it names what does not exist (a 400), or what no worker serves (a 422).</summary>
public enum RouteProblem
{
    Unknown,
    NotServed,
}

/// <summary>
/// The version that computes a request and why (<see cref="RouteReasons"/>); the version that also computes a shadow copy
/// of it, if any; or why it cannot be routed.
/// </summary>
public sealed record RouteDecision(ModelIdentity? Model, string? Route, ModelIdentity? Shadow, RouteProblem? Problem, string? Detail)
{
    public static RouteDecision Refused(RouteProblem problem, string detail) => new(null, null, null, problem, detail);
}
