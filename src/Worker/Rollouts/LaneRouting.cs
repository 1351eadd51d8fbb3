using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Messaging.Catalog;
using Predictions.Messaging.Outages;
using Predictions.Messaging.Rollouts;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;

namespace Predictions.Worker.Rollouts;

/// <summary>
/// Where a worker places a request it was handed. One a gateway routed carries its version and the reason
/// (<see cref="Topology.RouteHeader"/>); any other is routed here as a gateway would, by the rollout this worker holds.
/// A version this worker serves is computed here; an unloaded one is re-routed through the model's rollout unless the
/// request named that version, which then fails with the reason; any other goes on to its lane.
/// </summary>
public sealed class LaneRouting(ServedLanes lanes, InferencePool pool, IServiceProvider services, IOptions<ModelsOptions> models)
{
    // Registered with a catalog alone: without one, requests go as the lanes choose.
    private readonly CurrentRollout? _rollout = services.GetService<CurrentRollout>();

    public Placement Place(ConsumeContext<PredictionRequest> context, PredictionRequest request)
    {
        var queue = context.ReceiveContext.QueueName();
        if (_rollout is not { } rollout)
        {
            // One model, or a catalog without rollouts: as the lanes choose.
            var choice = lanes.Choose(request, queue);
            if (choice.Lane is { } chosen)
            {
                return Placement.Compute(chosen, pool.Expect(chosen), null);
            }

            return choice.Elsewhere is { } elsewhere ? Placement.Forward(elsewhere, null) : Placement.Fail(null, null, choice.Problem!);
        }

        var state = rollout.State;
        var sticky = context.Header(Topology.StickyKeyHeader) ?? request.ItemId.ToString(CultureInfo.InvariantCulture);
        var route = context.Header(Topology.RouteHeader);
        var routed = context.Header(Topology.RoutedModelHeader) ?? request.Model;
        ModelIdentity target;
        ModelIdentity? shadow = null;
        if (route is not null && routed is not null && ModelReference.TryParse(routed, out var reference) && reference.Identity is { } identity)
        {
            target = identity;
        }
        else
        {
            var decision = ModelRouter.Route(state, lanes.Catalog, request.Model, models.Value.Default, sticky);
            if (decision.Model is null)
            {
                return Placement.Fail(null, null, decision.Detail!);
            }

            (target, route, shadow) = (decision.Model, decision.Route, decision.Shadow);
        }

        return PlaceRouted(state, target, route, sticky) with { Shadow = shadow };
    }

    private Placement PlaceRouted(RolloutState state, ModelIdentity target, string? route, string sticky)
    {
        if (TryCompute(target, route) is { } here)
        {
            return here;
        }

        if (!IsUnloaded(state, target))
        {
            return Placement.Forward(target, route);
        }

        if (route is RouteReasons.Explicit or RouteReasons.Default or RouteReasons.Shadow)
        {
            return Placement.Fail(target, route, $"model {target.Name}:{target.Version} was unloaded before this request was computed");
        }

        // Named by the model alone: where the model's rollout sends it now.
        var again = ModelRouter.Route(state, lanes.Catalog, target.Name, null, sticky);
        if (again.Model is null || again.Model == target)
        {
            return Placement.Fail(
                target, route, $"model {target.Name}:{target.Version} was unloaded, and {target.Name} has no other version loaded");
        }

        return TryCompute(again.Model, again.Route) ?? Placement.Forward(again.Model, again.Route);
    }

    private Placement? TryCompute(ModelIdentity model, string? route) =>
        lanes.ForModel(model) is { } lane && pool.TryExpect(lane, out var expected) ? Placement.Compute(lane, expected, route) : null;

    /// <summary>Unloaded by the rollout, or drained here (this worker may have heard of it before the state reached it).</summary>
    private bool IsUnloaded(RolloutState state, ModelIdentity model)
    {
        if (lanes.ForModel(model) is { IsDraining: true })
        {
            return true;
        }

        return state.Of(model.Name)?.IsRetired(int.Parse(model.Version, CultureInfo.InvariantCulture)) == true;
    }
}
