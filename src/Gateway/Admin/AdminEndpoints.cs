using Microsoft.Extensions.Options;

namespace Predictions.Gateway.Admin;

/// <summary><c>/admin/models</c>: the model rollout, behind <c>Admin:Key</c>; mapped only when <c>Admin:Enabled</c>.</summary>
public static class AdminEndpoints
{
    private static readonly TimeSpan DefaultAliasWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    public static IEndpointRouteBuilder MapModelAdmin(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value.Enabled)
        {
            return app;
        }

        var models = app.MapGroup("/admin/models").WithTags("Admin")
            .AddEndpointFilter<AdminKeyFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        models.MapGet("/", (RolloutAdmin admin) => TypedResults.Ok(admin.List()))
            .WithSummary("List the models, their rollouts, and per version the workers and recent figures");
        models.MapGet("/{name}", (string name, RolloutAdmin admin) => admin.Get(name))
            .WithSummary("One model's rollout");
        models.MapPut("/{name}/versions/{version:int}", (string name, int version, double? wait, RolloutAdmin admin, CancellationToken token) =>
                admin.LoadAsync(name, version, Wait(wait, TimeSpan.Zero), token))
            .WithSummary("Load a version on every worker that follows the model; with ?wait=seconds, until it is ready or failed");
        models.MapDelete("/{name}/versions/{version:int}", (string name, int version, RolloutAdmin admin, CancellationToken token) =>
                admin.UnloadAsync(name, version, token))
            .WithSummary("Unload a version: routing stops, and every request already accepted for it still ends once");
        models.MapPut(
                "/{name}/aliases/{alias}",
                (string name, string alias, AliasRequest body, double? wait, RolloutAdmin admin, CancellationToken token) =>
                    admin.SetAliasAsync(name, alias, body.Version, Wait(wait, DefaultAliasWait), token))
            .WithSummary("Point an alias at a version once it is ready on as many workers as the alias's current one");
        models.MapDelete("/{name}/aliases/{alias}", (string name, string alias, RolloutAdmin admin, CancellationToken token) =>
                admin.RemoveAliasAsync(name, alias, token))
            .WithSummary("Remove an alias");
        models.MapPut("/{name}/canary", (string name, SplitRequest body, RolloutAdmin admin, CancellationToken token) =>
                admin.SetSplitAsync(name, body, shadow: false, token))
            .WithSummary("Send a share of the requests naming the model alone to a version, by their sticky key, under a guard");
        models.MapDelete("/{name}/canary", (string name, RolloutAdmin admin, CancellationToken token) =>
                admin.ClearSplitAsync(name, shadow: false, token))
            .WithSummary("End the canary");
        models.MapPut("/{name}/shadow", (string name, SplitRequest body, RolloutAdmin admin, CancellationToken token) =>
                admin.SetSplitAsync(name, body, shadow: true, token))
            .WithSummary("Compute a share of the requests naming the model alone again by a version: audited, never answered");
        models.MapDelete("/{name}/shadow", (string name, RolloutAdmin admin, CancellationToken token) =>
                admin.ClearSplitAsync(name, shadow: true, token))
            .WithSummary("End the shadow");
        models.MapPost("/{name}/promote", (string name, double? wait, RolloutAdmin admin, CancellationToken token) =>
                admin.PromoteAsync(name, Wait(wait, DefaultAliasWait), token))
            .WithSummary("Move the stable alias to the canary's version and end the canary");
        return app;
    }

    private static TimeSpan Wait(double? seconds, TimeSpan fallback) =>
        seconds is { } given && double.IsFinite(given) && given >= 0 ? TimeSpan.FromSeconds(Math.Min(given, MaxWait.TotalSeconds)) : fallback;
}
