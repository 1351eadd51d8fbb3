using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Rollouts;

/// <summary>
/// A model rolled out while the services run, as an operator does it through the admin API: a version added to the
/// catalog and loaded (once, however many calls), a version whose file does not match refused, a canary that keeps each
/// caller on one version and takes its share, a shadow whose outcomes are audited and never answered, a promotion, and
/// an unload that drains: every request already accepted ends once, computed or re-routed or failed with the reason.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class RolloutTests(BrokerFixture fixture) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // scorer:1 answers 2x; scorer:2, added while the services run, 3x. other:1 (5x) is traffic on another model.
    private readonly RolloutCatalog _catalog = new RolloutCatalog().Simulated("scorer", 1, 2, "00:00:00.002").Simulated("other", 1, 5);

    [Fact]
    public async Task A_version_is_loaded_canaried_shadowed_promoted_and_its_predecessor_unloaded_without_a_restart()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var models = new Dictionary<string, string>
        {
            ["Models:Catalog"] = _catalog.Folder.FullName,
            ["Models:Default"] = "other",
        };
        await system.StartWorkerAsync(models);
        await system.StartGatewayAsync(models.Concat(AdminApi.Settings).ToDictionary());
        using var admin = new AdminApi(system.Http.BaseAddress!);

        // Before any change: the settings' rollout, scorer:1 stable.
        var before = await SubmitAsync(system, "scorer", "k", 1);
        Assert.Equal(("scorer", "1", "alias", 2.0), before);

        // A version added to the catalog now, loaded by two calls at once: loaded once, on the one worker.
        _catalog.Simulated("scorer", 2, 3);
        var loads = await Task.WhenAll(admin.LoadAsync("scorer", 2), admin.LoadAsync("scorer", 2));
        Assert.All(loads, load => AdminApi.Ok(load, "PUT /admin/models/scorer/versions/2"));
        var loaded = AdminApi.Version(AdminApi.Ok(await admin.GetAsync("scorer"), "GET"), 2);
        var worker = Assert.Single(loaded.GetProperty("workers").EnumerateArray());
        Assert.Equal("ready", worker.GetProperty("state").GetString());
        Assert.Equal(1, worker.GetProperty("loads").GetInt32());

        // Loaded is not routed to: the stable alias still says 1, and a request may name 2.
        Assert.Equal(("scorer", "1", "alias", 2.0), await SubmitAsync(system, "scorer", "k", 1));
        Assert.Equal(("scorer", "2", "explicit", 3.0), await SubmitAsync(system, "scorer:2", "k", 1));

        // A version whose file does not match its checksum is refused with the reason; nothing else changes.
        _catalog.WithWrongChecksum("scorer", 3);
        var (refused, refusal) = await admin.LoadAsync("scorer", 3);
        Assert.True(refused == HttpStatusCode.UnprocessableEntity, $"{(int)refused} {refusal}");
        Assert.Contains("SHA-256", refusal.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(("scorer", "1", "alias", 2.0), await SubmitAsync(system, "scorer", "k", 1));

        // A canary at 10%, then 50%: its share of 2,000 callers within a few points, each caller kept on one version.
        AdminApi.Ok(await admin.CanaryAsync("scorer", 2, 10), "PUT canary 10%");
        var tenPercent = await ShareOfCanaryAsync(system, callers: 2_000);
        Assert.InRange(tenPercent, 0.07, 0.13);
        AdminApi.Ok(await admin.CanaryAsync("scorer", 2, 50), "PUT canary 50%");
        var fiftyPercent = await ShareOfCanaryAsync(system, callers: 1_000);
        Assert.InRange(fiftyPercent, 0.45, 0.55);
        foreach (var key in new[] { "alice", "bob", "carol", "dave", "erin" })
        {
            var first = await SubmitAsync(system, "scorer", key, 2);
            Assert.Equal(first, await SubmitAsync(system, "scorer", key, 2));
        }

        // A shadow: every request naming the model alone is computed again by the shadow version; its outcome is
        // audited under an id of its own, pointing at the original, and never given to a caller.
        AdminApi.Ok(await admin.CanaryAsync("scorer", 2, 0), "PUT canary 0%");
        AdminApi.Ok(await admin.ShadowAsync("scorer", 2, 100), "PUT shadow 100%");
        var originals = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (id, answer) = await SubmitForIdAsync(system, "scorer", $"shadowed-{i}", 4);
            Assert.Equal("1", answer.GetProperty("model").GetProperty("version").GetString());
            originals.Add(id);
        }

        // Through the AMQP door too: the worker routes it, and copies it to the shadow.
        for (var i = 0; i < 2; i++)
        {
            var id = Guid.NewGuid().ToString();
            await system.Broker.PublishAsync(
                Topology.PredictionRequests, $$"""{"predictionId": "{{id}}", "itemId": 1, "featureValue": 4, "model": "scorer"}""");
            Assert.Equal("1", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("model").GetProperty("version").GetString());
            originals.Add(id);
        }

        List<AuditRow> shadows = [];
        await Eventually.HoldsAsync(
            async () => (shadows = [.. (await system.Audit.ReadAsync()).Where(row => row.Route == "shadow")]).Count == originals.Count,
            Timeout,
            () => $"{shadows.Count} of {originals.Count} shadow outcomes audited");
        Assert.Equal(originals.Order(), shadows.Select(row => row.ShadowOf!).Order());
        Assert.All(shadows, row => Assert.Equal(("scorer 2", 12.0), (row.Model!, row.Prediction!.Value)));
        foreach (var shadow in shadows)
        {
            using var read = await system.Http.GetAsync($"/predictions/{shadow.PredictionId}");
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        }

        AdminApi.Ok(await admin.ClearShadowAsync("scorer"), "DELETE shadow");

        // A backlog in scorer:1's lane, some naming the model alone, some naming version 1; then promote and unload.
        var backlog = new ConcurrentBag<(string Id, bool Explicit)>();
        await Parallel.ForAsync(0, 300, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var named = i % 3 == 0;
            var (id, _) = await SubmitForIdAsync(system, named ? "scorer:1" : "scorer", $"backlog-{i}", 1, wait: false);
            backlog.Add((id, named));
        });
        AdminApi.Ok(await admin.CanaryAsync("scorer", 2, 100), "PUT canary 100%");
        AdminApi.Ok(await admin.PromoteAsync("scorer"), "POST promote");
        AdminApi.Ok(await admin.UnloadAsync("scorer", 1), "DELETE scorer:1");

        // Every request of the backlog ends once: computed by 1 before the unload, re-routed to 2 when it named the model
        // alone, or failed with the reason when it named version 1.
        var ids = backlog.Select(entry => entry.Id).ToList();
        var rows = await system.Audit.WaitForAsync(ids, Timeout);
        Assert.Equal(ids.Count, rows.Count);
        foreach (var (id, named) in backlog)
        {
            var row = rows.Single(row => row.PredictionId == id);
            if (row.Outcome == "failed")
            {
                Assert.True(named, $"{id}, naming the model alone, failed: {row.Error}");
                Assert.Contains("scorer:1 was unloaded", row.Error, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal("completed", row.Outcome);
                Assert.Equal(row.Model == "scorer 1" ? 2.0 : 3.0, row.Prediction);
                Assert.True(!named || row.Model == "scorer 1", $"{id}, naming scorer:1, was computed by {row.Model}");
            }
        }

        Assert.Equal(("scorer", "2", "alias", 3.0), await SubmitAsync(system, "scorer", "k", 1));
        var (gone, goneBody) = await SubmitRawAsync(system, "scorer:1", "k", 1);
        Assert.True(gone == HttpStatusCode.UnprocessableEntity, $"{(int)gone} {goneBody}");
        Assert.Equal(0u, (await system.Broker.GetQueueAsync($"{Topology.WorkQueue}.scorer.1"))?.Messages);

        // The other model was never touched.
        Assert.Equal(("other", "1", "alias", 5.0), await SubmitAsync(system, "other", "k", 1));
    }

    [Fact]
    public async Task A_canary_that_fails_a_share_of_its_requests_is_set_back_to_zero_by_its_guard_which_says_why()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var models = new Dictionary<string, string> { ["Models:Catalog"] = _catalog.Folder.FullName, ["Models:Default"] = "other" };
        await system.StartWorkerAsync(models);
        var guard = new Dictionary<string, string> { ["Rollouts:Guard:MinOutcomes"] = "10", ["Rollouts:Guard:Window"] = "00:01:00" };
        await system.StartGatewayAsync(models.Concat(AdminApi.Settings).Concat(guard).ToDictionary());
        using var admin = new AdminApi(system.Http.BaseAddress!);

        // Version 2 multiplies by 10^10: for a feature of 10^300 it answers no finite number, and the request fails.
        _catalog.Simulated("scorer", 2, 1e10);
        AdminApi.Ok(await admin.LoadAsync("scorer", 2), "PUT /admin/models/scorer/versions/2");
        AdminApi.Ok(await admin.CanaryAsync("scorer", 2, 50, maxErrorRate: 0.2), "PUT canary 50%");
        var stoppedBy = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        var outcomes = new ConcurrentBag<string>();
        await Parallel.ForAsync(0, 60, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var (status, body) = await SubmitRawAsync(system, "scorer", $"guarded-{i}", 1e300);
            Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}");
            outcomes.Add($"{body.GetProperty("route").GetString()} {body.GetProperty("status").GetString()}");
        });
        Assert.Contains("canary failed", outcomes);
        Assert.Contains("alias completed", outcomes);

        // Within the guard's window the canary is at 0%, saying why, and counted.
        JsonElement canary = default;
        await Eventually.HoldsAsync(
            async () => (canary = AdminApi.Ok(await admin.GetAsync("scorer"), "GET").GetProperty("canary")).GetProperty("percent").GetDouble() == 0,
            stoppedBy - DateTimeOffset.UtcNow,
            () => $"The canary is still {canary}.\n{system.Describe()}");
        Assert.Contains("error rate", canary.GetProperty("stoppedReason").GetString(), StringComparison.Ordinal);
        Assert.True(canary.TryGetProperty("stoppedAt", out var at) && at.ValueKind == JsonValueKind.String, $"{canary}");
        var metrics = await system.Http.GetStringAsync("/metrics");
        Assert.Equal(1, PrometheusText.Sample(metrics, "prediction_canary_stops_total", "model_name=\"scorer\""));

        // Every caller is back on the stable version.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(("scorer", "1", "alias", 2.0), await SubmitAsync(system, "scorer", $"guarded-{i}", 1));
        }

        // A stopped canary is not promoted.
        var (promoted, refusal) = await admin.PromoteAsync("scorer");
        Assert.True(promoted == HttpStatusCode.Conflict, $"{(int)promoted} {refusal}");
    }

    public void Dispose() => _catalog.Dispose();

    /// <summary>The share of <paramref name="callers"/> distinct callers the canary (version 2) computed.</summary>
    private static async Task<double> ShareOfCanaryAsync(PredictionSystem system, int callers)
    {
        var canary = 0;
        await Parallel.ForAsync(0, callers, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var (_, version, route, _) = await SubmitAsync(system, "scorer", $"caller-{callers}-{i}", 1);
            Assert.True(version == "2" ? route == "canary" : route == "alias", $"version {version} by {route}");
            if (version == "2")
            {
                Interlocked.Increment(ref canary);
            }
        });
        return (double)canary / callers;
    }

    /// <summary>Submits and waits for the answer: the model and version that computed it, why, and the prediction.</summary>
    private static async Task<(string Model, string Version, string Route, double Prediction)> SubmitAsync(
        PredictionSystem system, string model, string stickyKey, double featureValue)
    {
        var (_, answer) = await SubmitForIdAsync(system, model, stickyKey, featureValue);
        var identity = answer.GetProperty("model");
        return (identity.GetProperty("name").GetString()!, identity.GetProperty("version").GetString()!,
            answer.GetProperty("route").GetString()!, answer.GetProperty("prediction").GetDouble());
    }

    private static async Task<(string Id, JsonElement Answer)> SubmitForIdAsync(
        PredictionSystem system, string model, string stickyKey, double featureValue, bool wait = true)
    {
        var (status, body) = await SubmitRawAsync(system, model, stickyKey, featureValue, wait);
        Assert.True(status == (wait ? HttpStatusCode.OK : HttpStatusCode.Accepted), $"{model}: {(int)status} {body}");
        return (body.GetProperty("id").GetString()!, body);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SubmitRawAsync(
        PredictionSystem system, string model, string stickyKey, double featureValue, bool wait = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, wait ? "/predictions?wait=30" : "/predictions")
        {
            Content = JsonContent.Create(new { itemId = 1, featureValue, model }),
        };
        request.Headers.Add("X-Sticky-Key", stickyKey);
        using var response = await system.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}
