using Predictions.Contracts;
using Predictions.Gateway.Rollouts;
using Predictions.Messaging;
using Predictions.Messaging.Catalog;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Routing;

/// <summary>
/// Which lane a request goes to, and why (<see cref="ModelRouter"/>): the version it names, else the alias it names, else
/// the canary's or the stable alias's version of the model it names, by the rollout this gateway holds; a request naming
/// no model is routed as one naming <c>Models:Default</c>. A share of requests naming a model alone may also go to a
/// shadow version, as a copy.
/// </summary>
public sealed class ModelRouting(RoutingCatalog catalog, CurrentRollout rollout)
{
    /// <summary>A model version's lane: where to publish, the queue that holds its requests, and why it was chosen.</summary>
    public sealed record Lane(ModelIdentity Model, string RoutingKey, string Queue, string? Route = null)
    {
        /// <summary><c>prediction-worker</c>, which the gateway's own door reaches even before any worker made the lanes.</summary>
        public bool IsWorkQueue => Queue == Topology.WorkQueue;
    }

    /// <summary>Where a request goes: its lane and its shadow's, or why it goes nowhere (a 400, or a 422 when <c>NotServed</c>).</summary>
    public sealed record Routed(Lane? Lane, Lane? Shadow, string? Problem, bool NotServed);

    /// <summary>Whether requests are routed by a catalog (<c>Models:Default</c> set); else only those naming a model are.</summary>
    public bool UsesCatalog => catalog.Default is not null;

    /// <summary>
    /// The lane of <paramref name="model"/> (null: the default model) for a caller keyed <paramref name="stickyKey"/>. Without a
    /// catalog, a reference with a version goes by its routing key alone, and one naming no model to the default lane. Whether
    /// a worker serves the lane is the broker's to say, by the lane's binding.
    /// </summary>
    public Routed Route(string? model, string stickyKey)
    {
        if (!UsesCatalog)
        {
            if (model is null)
            {
                return new(null, null, null, false);
            }

            if (!ModelReference.TryParse(model, out var reference))
            {
                return new(null, null, $"'{model}' is not {ModelReference.Shape}", false);
            }

            var current = catalog.Current;
            if (reference.Identity is { } identity && current.IsEmpty)
            {
                return new(LaneOf(identity, null), null, null, false);
            }

            var (entry, problem) = current.Resolve(reference);
            return entry is null ? new(null, null, problem, false) : new(LaneOf(entry.Identity, null), null, null, false);
        }

        var decision = ModelRouter.Route(rollout.State, catalog.Current, model, catalog.Default, stickyKey);
        if (decision.Model is null)
        {
            return new(null, null, decision.Detail, decision.Problem == RouteProblem.NotServed);
        }

        var shadow = decision.Shadow is { } copy ? LaneOf(copy, RouteReasons.Shadow) : null;
        return new(LaneOf(decision.Model, decision.Route), shadow, null, false);
    }

    private Lane LaneOf(ModelIdentity model, string? route) =>
        new(model, LaneNames.RoutingKey(model), LaneNames.Queue(model, model == catalog.DefaultModel), route);
}
