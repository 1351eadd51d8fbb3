using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Predictions.Gateway.Rollouts;
using Predictions.Messaging.Catalog;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Admin;

/// <summary>
/// What the admin API does to the rollout: each change goes through the store (<see cref="RolloutCoordinator.ChangeAsync"/>),
/// so every gateway routes the same way, and is checked against the catalog and the workers' readiness first.
/// </summary>
public sealed class RolloutAdmin(
    RolloutCoordinator coordinator,
    CurrentRollout rollout,
    RoutingCatalog catalog,
    WorkerReadiness readiness,
    VersionStatistics statistics,
    TimeProvider clock)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public IReadOnlyList<ModelView> List() => [.. catalog.Current.Names.Select(View)];

    public Results<Ok<ModelView>, ProblemHttpResult> Get(string name) =>
        Known(name) is { } problem ? problem : TypedResults.Ok(View(name));

    /// <summary>
    /// Loads the version on every worker following the model. With <paramref name="wait"/>: 200 once ready on a worker, 422
    /// with the workers' reasons when every worker that reported it failed, 202 while it is still loading.
    /// </summary>
    public async Task<Results<Ok<ModelView>, Accepted<ModelView>, ProblemHttpResult>> LoadAsync(
        string name, int version, TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            // Read again: the version may have been added to the catalog since the gateway started.
            catalog.Reload();
        }
        catch (InvalidDataException ex)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "The model catalog cannot be read", ex.Message);
        }

        if (KnownVersion(name, version) is { } unknown)
        {
            return unknown;
        }

        var asked = clock.GetUtcNow();
        await ChangeAsync(name, model => model with
        {
            Loaded = [.. model.Loaded.Append(version).Distinct().Order()],
            Retired = [.. model.Retired.Where(retired => retired != version)],
        }, cancellationToken);

        var deadline = asked + wait;
        while (true)
        {
            var heard = readiness.Of(name, version).Where(entry => entry.HeardAt >= asked).ToList();
            if (heard.Any(entry => entry.Lane.State == LaneStates.Ready))
            {
                return TypedResults.Ok(View(name));
            }

            if (heard.Count > 0 && heard.All(entry => entry.Lane.State == LaneStates.Failed))
            {
                var reasons = string.Join("; ", heard.Select(entry => $"{entry.Worker}: {entry.Lane.Reason}"));
                return Problem(StatusCodes.Status422UnprocessableEntity, $"Model {name}:{version} could not be loaded",
                    $"The versions served are unchanged. {reasons}");
            }

            if (clock.GetUtcNow() >= deadline)
            {
                return TypedResults.Accepted($"/admin/models/{name}", View(name));
            }

            await Task.Delay(Poll, clock, cancellationToken);
        }
    }

    /// <summary>Stops routing to the version; the workers drain it. Refused while an alias, the canary or the shadow points at it.</summary>
    public async Task<Results<Ok<ModelView>, ProblemHttpResult>> UnloadAsync(string name, int version, CancellationToken cancellationToken)
    {
        if (KnownVersion(name, version) is { } unknown)
        {
            return unknown;
        }

        var model = Of(rollout.State, name);
        var users = model.Aliases.Where(alias => alias.Value == version).Select(alias => $"alias '{alias.Key}'")
            .Concat(model.Canary is { Version: var canary, Percent: > 0 } && canary == version ? ["the canary"] : [])
            .Concat(model.Shadow is { Version: var shadow, Percent: > 0 } && shadow == version ? ["the shadow"] : [])
            .ToList();
        if (users.Count > 0)
        {
            return Problem(StatusCodes.Status409Conflict, $"Model {name}:{version} is in use",
                $"{string.Join(", ", users)} still send requests to it: point them at another version first.");
        }

        await ChangeAsync(name, model => !model.IsLoaded(version) ? model : model with
        {
            Loaded = [.. model.Loaded.Where(loaded => loaded != version)],
            Retired = [.. model.Retired.Append(version).Distinct().Order()],
            Canary = model.Canary?.Version == version ? null : model.Canary,
            Shadow = model.Shadow?.Version == version ? null : model.Shadow,
        }, cancellationToken);
        return TypedResults.Ok(View(name));
    }

    /// <summary>
    /// Points the alias at the version once it is ready on at least as many workers as the alias's current version (and on
    /// one at least), waiting up to <paramref name="wait"/>; 409 saying how far it got otherwise.
    /// </summary>
    public async Task<Results<Ok<ModelView>, ProblemHttpResult>> SetAliasAsync(
        string name, string alias, int version, TimeSpan wait, CancellationToken cancellationToken, bool promote = false)
    {
        if (!ModelReference.IsAlias(alias))
        {
            return Invalid("alias", $"'{alias}' is not an alias: a letter, then lower-case letters, digits, '-' and '_'");
        }

        if (KnownVersion(name, version) is { } unknown)
        {
            return unknown;
        }

        if (!Of(rollout.State, name).IsLoaded(version))
        {
            return Problem(
                StatusCodes.Status409Conflict, $"Model {name}:{version} is not loaded", "Load it first.");
        }

        var deadline = clock.GetUtcNow() + wait;
        while (true)
        {
            var current = Of(rollout.State, name).Aliases.TryGetValue(alias, out var pointed) ? pointed : (int?)null;
            var needed = Math.Max(1, current is { } old && old != version ? readiness.ReadyOn(name, old) : 1);
            var ready = readiness.ReadyOn(name, version);
            if (ready >= needed)
            {
                break;
            }

            if (clock.GetUtcNow() >= deadline)
            {
                return Problem(StatusCodes.Status409Conflict, $"Model {name}:{version} is not ready on enough workers",
                    $"It is ready on {ready} of the {needed} workers that serve {name}:{current?.ToString(CultureInfo.InvariantCulture) ?? "-"}; "
                    + $"the alias '{alias}' was left as it was.");
            }

            await Task.Delay(Poll, clock, cancellationToken);
        }

        await ChangeAsync(name, model => model with
        {
            Aliases = new Dictionary<string, int>(model.Aliases) { [alias] = version },
            Canary = promote && model.Canary?.Version == version ? null : model.Canary,
        }, cancellationToken);
        return TypedResults.Ok(View(name));
    }

    public async Task<Results<Ok<ModelView>, ProblemHttpResult>> RemoveAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        if (Known(name) is { } unknown)
        {
            return unknown;
        }

        await ChangeAsync(
            name, model => model with { Aliases = model.Aliases.Where(entry => entry.Key != alias).ToDictionary() }, cancellationToken);
        return TypedResults.Ok(View(name));
    }

    /// <summary>Sends <see cref="SplitRequest.Percent"/> of the requests naming the model alone to the version (canary, or shadow copy).</summary>
    public async Task<Results<Ok<ModelView>, ProblemHttpResult>> SetSplitAsync(
        string name, SplitRequest split, bool shadow, CancellationToken cancellationToken)
    {
        if (split.Percent is < 0 or > 100 || !double.IsFinite(split.Percent))
        {
            return Invalid("percent", $"{split.Percent} is not a share: it must be between 0 and 100");
        }

        if (split.MaxErrorRate is <= 0 or > 1)
        {
            return Invalid("maxErrorRate", $"{split.MaxErrorRate} must be above 0 and at most 1");
        }

        if (split.MaxP95Milliseconds is <= 0)
        {
            return Invalid("maxP95Milliseconds", $"{split.MaxP95Milliseconds} must be above 0");
        }

        if (KnownVersion(name, split.Version) is { } unknown)
        {
            return unknown;
        }

        if (split.Percent > 0 && (!Of(rollout.State, name).IsLoaded(split.Version) || readiness.ReadyOn(name, split.Version) == 0))
        {
            return Problem(StatusCodes.Status409Conflict, $"Model {name}:{split.Version} is not ready",
                "A split goes only to a version ready on a worker: load it first, with ?wait= to know when it is.");
        }

        var value = new TrafficSplit
        {
            Version = split.Version,
            Percent = split.Percent,
            MaxErrorRate = split.MaxErrorRate,
            MaxP95Milliseconds = split.MaxP95Milliseconds,
        };
        await ChangeAsync(name, model => shadow ? model with { Shadow = value } : model with { Canary = value }, cancellationToken);
        return TypedResults.Ok(View(name));
    }

    public async Task<Results<Ok<ModelView>, ProblemHttpResult>> ClearSplitAsync(string name, bool shadow, CancellationToken cancellationToken)
    {
        if (Known(name) is { } unknown)
        {
            return unknown;
        }

        await ChangeAsync(name, model => shadow ? model with { Shadow = null } : model with { Canary = null }, cancellationToken);
        return TypedResults.Ok(View(name));
    }

    /// <summary>The stable alias moves to the canary's version (as <see cref="SetAliasAsync"/> moves it), and the canary ends.</summary>
    public async Task<Results<Ok<ModelView>, ProblemHttpResult>> PromoteAsync(string name, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (Known(name) is { } unknown)
        {
            return unknown;
        }

        if (Of(rollout.State, name).Canary is not { } canary)
        {
            return Problem(StatusCodes.Status409Conflict, $"Model {name} has no canary", "Set one first: PUT /admin/models/{name}/canary.");
        }

        if (canary.StoppedReason is { } reason)
        {
            return Problem(StatusCodes.Status409Conflict, $"The canary {name}:{canary.Version} was stopped by its guard", reason);
        }

        return await SetAliasAsync(name, RouteReasons.StableAlias, canary.Version, wait, cancellationToken, promote: true);
    }

    private ModelView View(string name)
    {
        var model = Of(rollout.State, name);
        var catalogVersions = catalog.Current.Entries.Where(entry => entry.Identity.Name == name)
            .Select(entry => int.Parse(entry.Identity.Version, CultureInfo.InvariantCulture)).ToList();
        var versions = catalogVersions.Union(model.Loaded).Union(model.Retired).Order().Select(version =>
        {
            var workers = readiness.Of(name, version).Select(entry => new WorkerLaneView(
                entry.Worker, entry.Lane.State, entry.Lane.Reason, entry.Lane.Loads)).ToList();
            return new VersionView(version, workers.Count(worker => worker.State == LaneStates.Ready), workers, statistics.Of(name, version));
        });
        return new ModelView(
            name, rollout.State.Revision, catalogVersions, model.Loaded, model.Retired, model.Aliases, model.Canary, model.Shadow, [.. versions]);
    }

    private static ModelRollout Of(RolloutState state, string name) => state.Of(name) ?? new ModelRollout();

    /// <summary>Applies <paramref name="change"/> to one model's rollout, as stored when the change lands.</summary>
    private Task<RolloutState> ChangeAsync(string name, Func<ModelRollout, ModelRollout> change, CancellationToken cancellationToken) =>
        coordinator.ChangeAsync(state => state.With(name, change(Of(state, name))), cancellationToken);

    private ProblemHttpResult? Known(string name) =>
        catalog.Current.Names.Contains(name) || rollout.State.Of(name) is not null
            ? null
            : Problem(StatusCodes.Status404NotFound, $"There is no model '{name}'", $"The catalog has {string.Join(", ", catalog.Current.Names)}.");

    private ProblemHttpResult? KnownVersion(string name, int version) =>
        Known(name) ?? (catalog.Current.Resolve(new ModelReference(name, version)).Problem is { } problem
            ? Problem(
                StatusCodes.Status404NotFound,
                $"There is no version {version} of model '{name}'",
                $"{char.ToUpperInvariant(problem[0])}{problem[1..]}.")
            : null);

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static ProblemHttpResult Invalid(string field, string error) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "One or more validation errors occurred.",
        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [error] } });
}
