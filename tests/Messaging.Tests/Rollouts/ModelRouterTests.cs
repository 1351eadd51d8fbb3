using Predictions.Contracts;
using Predictions.Messaging.Catalog;
using Predictions.Messaging.Rollouts;

namespace Predictions.Messaging.Tests.Rollouts;

/// <summary>
/// How a request is routed by the rollout, on a catalog of doubling 1 to 3 and item-scorer 1: doubling 1 retired,
/// 2 and 3 loaded, stable on 2.
/// </summary>
public sealed class ModelRouterTests : IDisposable
{
    private const string Manifest = """{ "backend": "Simulated", "factor": 2, "cost": "00:00:00" }""";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("model-router-");
    private readonly ModelCatalog _catalog;

    public ModelRouterTests()
    {
        foreach (var version in new[] { "doubling/1", "doubling/2", "doubling/3", "item-scorer/1" })
        {
            var folder = Directory.CreateDirectory(Path.Combine([_folder.FullName, .. version.Split('/')]));
            File.WriteAllText(Path.Combine(folder.FullName, ModelCatalog.ManifestFile), Manifest);
        }

        _catalog = ModelCatalog.Load(_folder.FullName);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData("doubling:3", "3")]
    [InlineData("doubling:2", "2")]
    public void A_version_named_is_the_version_computed_explicitly_and_never_shadowed(string model, string version)
    {
        var state = State(Doubling() with { Canary = Split(3, 100), Shadow = Split(3, 100) });

        var decision = ModelRouter.Route(state, _catalog, model, null, "caller-1");

        Assert.Equal(Identity("doubling", version), decision.Model);
        Assert.Equal(RouteReasons.Explicit, decision.Route);
        Assert.Null(decision.Shadow);
        Assert.Null(decision.Problem);
    }

    [Fact]
    public void A_request_naming_no_model_goes_to_the_default_version_as_default()
    {
        var decision = ModelRouter.Route(State(Doubling()), _catalog, null, "doubling:3", "caller-1");

        Assert.Equal(Identity("doubling", "3"), decision.Model);
        Assert.Equal(RouteReasons.Default, decision.Route);
    }

    [Theory]
    [InlineData("doubling:stable", "2")]
    [InlineData("doubling:next", "3")]
    public void An_alias_named_is_the_version_it_points_to(string model, string version)
    {
        var state = State(Doubling() with { Aliases = new Dictionary<string, int> { ["stable"] = 2, ["next"] = 3 } });

        var decision = ModelRouter.Route(state, _catalog, model, null, "caller-1");

        Assert.Equal(Identity("doubling", version), decision.Model);
        Assert.Equal(RouteReasons.Alias, decision.Route);
    }

    [Fact]
    public void An_alias_the_model_does_not_have_is_unknown()
    {
        var decision = ModelRouter.Route(State(Doubling()), _catalog, "doubling:nosuch", null, "caller-1");

        Assert.Null(decision.Model);
        Assert.Equal(RouteProblem.Unknown, decision.Problem);
        Assert.Contains("nosuch", decision.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_retired_version_named_is_not_served()
    {
        var decision = ModelRouter.Route(State(Doubling()), _catalog, "doubling:1", null, "caller-1");

        Assert.Null(decision.Model);
        Assert.Equal(RouteProblem.NotServed, decision.Problem);
        Assert.Contains("doubling:1", decision.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_not_in_the_catalog_is_unknown()
    {
        var decision = ModelRouter.Route(State(Doubling()), _catalog, "doubling:4", null, "caller-1");

        Assert.Equal(RouteProblem.Unknown, decision.Problem);
    }

    [Fact]
    public void Without_a_stable_alias_the_model_alone_goes_to_its_highest_loaded_version_as_latest()
    {
        var state = State(Doubling() with { Aliases = new Dictionary<string, int>() });

        var decision = ModelRouter.Route(state, _catalog, "doubling", null, "caller-1");

        Assert.Equal(Identity("doubling", "3"), decision.Model);
        Assert.Equal(RouteReasons.Latest, decision.Route);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(25)]
    [InlineData(50)]
    public void A_canary_takes_its_share_of_the_callers_naming_the_model_alone_and_the_others_go_to_stable(double percent)
    {
        var state = State(Doubling() with { Canary = Split(3, percent) });

        var decisions = Keys().Select(key => ModelRouter.Route(state, _catalog, "doubling", null, key)).ToList();

        var canary = decisions.Count(decision => decision.Route == RouteReasons.Canary);
        Assert.InRange(100.0 * canary / decisions.Count, percent - 1.5, percent + 1.5);
        Assert.All(decisions.Where(d => d.Route == RouteReasons.Canary), d => Assert.Equal(Identity("doubling", "3"), d.Model));
        Assert.All(decisions.Where(d => d.Route != RouteReasons.Canary), d =>
        {
            Assert.Equal(RouteReasons.Alias, d.Route);
            Assert.Equal(Identity("doubling", "2"), d.Model);
        });
    }

    [Fact]
    public void A_caller_keeps_its_version_while_the_split_stays_as_it_is()
    {
        var state = State(Doubling() with { Canary = Split(3, 50), Shadow = Split(3, 50) });

        foreach (var key in Keys().Take(200))
        {
            Assert.Equal(
                ModelRouter.Route(state, _catalog, "doubling", null, key), ModelRouter.Route(state, _catalog, "doubling", null, key));
        }
    }

    [Fact]
    public void A_shadow_copies_its_share_of_the_requests_naming_the_model_alone_never_to_the_version_that_computes_them()
    {
        var state = State(Doubling() with { Canary = Split(3, 20), Shadow = Split(3, 50) });

        var decisions = Keys().Select(key => ModelRouter.Route(state, _catalog, "doubling", null, key)).ToList();

        Assert.DoesNotContain(decisions, decision => decision.Shadow is not null && decision.Shadow == decision.Model);
        Assert.All(decisions.Where(d => d.Route == RouteReasons.Canary), d => Assert.Null(d.Shadow));
        var stable = decisions.Where(d => d.Route == RouteReasons.Alias).ToList();
        var shadowed = stable.Count(d => d.Shadow == Identity("doubling", "3"));
        Assert.InRange(100.0 * shadowed / stable.Count, 45, 55);
        Assert.Null(ModelRouter.Route(state, _catalog, "doubling:stable", null, "caller-1").Shadow);
        Assert.Null(ModelRouter.Route(state, _catalog, null, "doubling:2", "caller-1").Shadow);
    }

    [Fact]
    public void A_model_the_rollout_does_not_know_goes_to_its_latest_catalog_version()
    {
        var decision = ModelRouter.Route(State(Doubling()), _catalog, "item-scorer", null, "caller-1");

        Assert.Equal(Identity("item-scorer", "1"), decision.Model);
        Assert.Equal(RouteReasons.Latest, decision.Route);
    }

    private static IEnumerable<string> Keys() => Enumerable.Range(0, StickyBuckets.Count).Select(i => $"caller-{i}");

    private static ModelRollout Doubling() => new()
    {
        Loaded = [2, 3],
        Retired = [1],
        Aliases = new Dictionary<string, int> { [RouteReasons.StableAlias] = 2 },
    };

    private static TrafficSplit Split(int version, double percent) => new() { Version = version, Percent = percent };

    private static RolloutState State(ModelRollout doubling) =>
        new() { Revision = 1, Models = new Dictionary<string, ModelRollout> { ["doubling"] = doubling } };

    private static ModelIdentity Identity(string name, string version) => new() { Name = name, Version = version };
}
