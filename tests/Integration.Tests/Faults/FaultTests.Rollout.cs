using Predictions.Integration.Tests.Infrastructure;
using Predictions.Integration.Tests.Rollouts;
using Predictions.Messaging;
using Predictions.Messaging.Rollouts;

namespace Predictions.Integration.Tests.Faults;

public sealed partial class FaultTests
{
    [Fact]
    public async Task A_rollout_under_load_with_a_worker_killed_mid_inference_loses_nothing_and_routes_each_request_as_allowed()
    {
        // Two models under load: other:1, the default, and scorer:1, to which a version 2 is rolled out. All answer 2x, as
        // the ledger checks; the audit tells the versions apart.
        using var catalog = new RolloutCatalog().Simulated("other", 1, 2, "00:00:00.03").Simulated("scorer", 1, 2, "00:00:00.03");
        var models = new Dictionary<string, string> { ["Models:Catalog"] = catalog.Folder.FullName, ["Models:Default"] = "other" };
        var settings = Model.Concat(models).ToDictionary();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(settings);
        await system.StartGatewayAsync(models.Concat(AdminApi.Settings).ToDictionary());
        using var admin = new AdminApi(system.Http.BaseAddress!);
        var ledger = await Ledger.OpenAsync(system, recomputations: true, lanes: ["scorer.1", "scorer.2"]);

        // Two in three requests name scorer alone; the canary's share goes by the item id, the sticky key here.
        await using var load = HttpLoad.Start(
            system, ledger, maxSubmissions: 4_000, model: sequence => sequence % 3 == 0 ? null : "scorer");
        var changes = new List<(DateTimeOffset At, string Step)>();
        async Task StepAsync(string step, Func<Task<(System.Net.HttpStatusCode, System.Text.Json.JsonElement)>> call)
        {
            await load.WaitForAcceptedAsync(ledger.Accepted + 150, Timeout);
            load.AssertRunning(step);
            AdminApi.Ok(await call(), step);
            changes.Add((DateTimeOffset.UtcNow, step));
        }

        catalog.Simulated("scorer", 2, 2, "00:00:00.03");
        await StepAsync("load", () => admin.LoadAsync("scorer", 2));
        await StepAsync("canary 10", () => admin.CanaryAsync("scorer", 2, 10));

        // A worker killed mid-inference, and started again: it loads version 2 again from the announced state.
        worker = await KillMidInferenceTwiceAsync(system, ledger, load, worker, settings);
        await StepAsync("canary 50", () => admin.CanaryAsync("scorer", 2, 50));
        await StepAsync("promote", () => admin.PromoteAsync("scorer"));
        await StepAsync("unload", () => admin.UnloadAsync("scorer", 1));
        await load.WaitForAcceptedAsync(ledger.Accepted + 150, Timeout);
        await load.StopAsync();
        await ledger.VerifyAsync(system, Timeout);
        Assert.False(worker.HasExited, $"The restarted worker exited.\n{system.Describe()}");

        // Each scorer request went where the routing sent it when it was accepted: version 1 by the alias before the canary,
        // version 2 for the item ids in the canary's share (the router's own sticky buckets), all to version 2 once promoted.
        // One in scorer:1's lane when it was unloaded was re-routed through the alias to version 2. Near a change, either side.
        var changesText = string.Join("; ", changes.Select(change => $"{change.Step} {change.At:O}"));
        var rows = (await system.Audit.ReadAsync(ledger.AcceptedIds))
            .Where(row => row.Model?.StartsWith("scorer", StringComparison.Ordinal) == true)
            .ToList();
        Assert.Contains(rows, row => row.Route == RouteReasons.Canary && row.Model == "scorer 2");
        Assert.Contains(rows, row => row.Route == RouteReasons.Alias && row.Model == "scorer 2");
        var checkedRows = 0;
        foreach (var row in rows)
        {
            Assert.True(row.Outcome == "completed", $"{row.PredictionId} ended {row.Outcome}: {row.Error}");
            var itemId = (long)(1 + (row.Prediction!.Value / 2 % 1000));
            var allowed = AllowedVersions(row, $"{itemId}", step => changes.Single(change => change.Step == step).At);
            Assert.True(
                allowed.Contains(row.Model!),
                $"{row.PredictionId} (item {itemId}, {row.Route}, submitted {row.SubmittedAt:O}) was computed by {row.Model}; "
                + $"allowed: {string.Join(", ", allowed)}. Changes: {changesText}");
            checkedRows++;
        }

        Assert.True(checkedRows > 500, $"Only {checkedRows} scorer requests were audited.");
        Assert.Equal(0u, (await system.Broker.GetQueueAsync($"{Topology.WorkQueue}.scorer.1"))?.Messages);
        Assert.Equal(0u, (await system.Broker.GetQueueAsync($"{Topology.WorkQueue}.scorer.2"))?.Messages);
    }

    /// <summary>
    /// The versions a scorer request may have been computed by: where the routing sent it when it was accepted, a second
    /// either side of that (the gateway takes a change as the admin call returns), and version 2 by the alias for one
    /// re-routed from version 1's lane after the unload.
    /// </summary>
    private static HashSet<string> AllowedVersions(AuditRow row, string stickyKey, Func<string, DateTimeOffset> when)
    {
        var slack = TimeSpan.FromSeconds(1);
        string RoutedAt(DateTimeOffset at) =>
            at >= when("promote") ? "scorer 2"
            : at >= when("canary 50") ? (StickyBuckets.Within("canary/scorer", stickyKey, 50) ? "scorer 2" : "scorer 1")
            : at >= when("canary 10") ? (StickyBuckets.Within("canary/scorer", stickyKey, 10) ? "scorer 2" : "scorer 1")
            : "scorer 1";

        var submitted = row.SubmittedAt ?? throw new InvalidOperationException($"{row.PredictionId} has no submitted_at.");
        var allowed = new HashSet<string> { RoutedAt(submitted - slack), RoutedAt(submitted), RoutedAt(submitted + slack) };
        if (row.Route == RouteReasons.Alias && row.FinishedAt > when("unload") - slack)
        {
            allowed.Add("scorer 2");
        }

        return allowed;
    }
}
