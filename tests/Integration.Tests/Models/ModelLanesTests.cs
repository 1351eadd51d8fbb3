using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Models;

/// <summary>
/// Several models in one service, each version in its own lane: a request is computed by the model it names, through
/// either door, the default when it names none, and refused when no worker serves what it names.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ModelLanesTests(BrokerFixture fixture) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Three simulated models that answer apart: doubling:1 (2x, the default), tripling:1 (3x) and tripling:2 (4x). The worker
    // serves the default and tripling's latest version; tripling:1 is in the catalog, yet no worker serves it.
    private readonly DirectoryInfo _catalog = Catalog(("doubling", 1, 2), ("tripling", 1, 3), ("tripling", 2, 4));

    [Fact]
    public async Task Each_request_is_computed_by_the_model_it_names_through_both_doors_and_one_no_worker_serves_is_refused()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var settings = new Dictionary<string, string>
        {
            ["Models:Catalog"] = _catalog.FullName,
            ["Models:Default"] = "doubling",
            ["Models:Serve"] = "doubling, tripling",
            ["Metadata:SimulatedLatency"] = "00:00:00.01",
        };
        var worker = await system.StartWorkerAsync(settings);
        await Eventually.HoldsAsync(
            async () => (await system.Broker.GetQueueAsync($"{Topology.WorkQueue}.tripling.2"))?.Consumers >= 1,
            Timeout,
            () => $"The worker did not consume the tripling:2 lane. Output:\n{worker.Output}");
        await system.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Models:Catalog"] = _catalog.FullName,
            ["Models:Default"] = "doubling",
        });

        // Over HTTP: none, a name, a name and version, the default named.
        (string? Model, double Factor, string Version)[] cases =
            [(null, 2, "doubling 1"), ("tripling", 4, "tripling 2"), ("tripling:2", 4, "tripling 2"), ("doubling:1", 2, "doubling 1")];
        var ids = new List<string>();
        for (var i = 0; i < cases.Length; i++)
        {
            var (status, body) = await SubmitAsync(system, i + 1, 5, cases[i].Model);
            Assert.True(status == HttpStatusCode.Accepted, $"{cases[i].Model}: {(int)status} {body}");
            ids.Add(body.GetProperty("id").GetString()!);
        }

        for (var i = 0; i < cases.Length; i++)
        {
            var outcome = await system.WaitForOutcomeAsync(ids[i], Timeout);
            Assert.Equal("completed", outcome.GetProperty("status").GetString());
            Assert.Equal(5 * cases[i].Factor, outcome.GetProperty("prediction").GetDouble());
            var model = outcome.GetProperty("model");
            Assert.Equal(cases[i].Version, $"{model.GetProperty("name").GetString()} {model.GetProperty("version").GetString()}");
        }

        var audited = await system.Audit.WaitForAsync(ids, Timeout);
        Assert.Equal(cases.Select(c => c.Version).Order(), audited.Select(row => row.Model).Order());

        // Refused at once, naming the model, nothing published: an unknown model, and a version no worker serves.
        var (unknown, unknownBody) = await SubmitAsync(system, 9, 5, "nosuch");
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
        Assert.Contains("nosuch", unknownBody.GetProperty("errors").GetProperty("model")[0].GetString(), StringComparison.Ordinal);
        var (unserved, unservedBody) = await SubmitAsync(system, 9, 5, "tripling:1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unserved);
        Assert.Contains("tripling:1", unservedBody.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Over AMQP: into the default lane by the one door, on to the lane it names, or failed with the reason.
        var forwarded = Guid.NewGuid();
        var notServed = Guid.NewGuid();
        var notKnown = Guid.NewGuid();
        foreach (var (id, model) in new[] { (forwarded, "tripling"), (notServed, "tripling:1"), (notKnown, "nosuch") })
        {
            await system.Broker.PublishAsync(
                Topology.PredictionRequests, $$"""{"predictionId": "{{id}}", "itemId": 1, "featureValue": 5, "model": "{{model}}"}""");
        }

        var viaAmqp = await system.WaitForOutcomeAsync(forwarded.ToString(), Timeout);
        Assert.Equal("completed", viaAmqp.GetProperty("status").GetString());
        Assert.Equal(20, viaAmqp.GetProperty("prediction").GetDouble());
        Assert.Equal("tripling", viaAmqp.GetProperty("model").GetProperty("name").GetString());

        var refused = await system.WaitForOutcomeAsync(notServed.ToString(), Timeout);
        Assert.Equal("failed", refused.GetProperty("status").GetString());
        Assert.Contains("no worker serves model tripling:1", refused.GetProperty("error").GetString(), StringComparison.Ordinal);

        var unknownOverAmqp = await system.WaitForOutcomeAsync(notKnown.ToString(), Timeout);
        Assert.Equal("failed", unknownOverAmqp.GetProperty("status").GetString());
        Assert.Contains("nosuch", unknownOverAmqp.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lane_that_is_full_turns_its_model_away_with_429_while_the_other_lanes_still_accept()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var settings = new Dictionary<string, string>
        {
            ["Models:Catalog"] = _catalog.FullName,
            ["Models:Default"] = "doubling",
            ["Models:Serve"] = "doubling, tripling",
            ["WorkQueue:MaxLength"] = "3",
        };

        // A worker makes the lanes, then leaves: nothing drains them.
        var worker = await system.StartWorkerAsync(settings);
        await Eventually.HoldsAsync(
            async () => (await system.Broker.GetQueueAsync($"{Topology.WorkQueue}.tripling.2"))?.Consumers >= 1,
            Timeout,
            () => $"The worker did not consume the tripling:2 lane. Output:\n{worker.Output}");
        worker.Kill();
        await worker.WaitForExitAsync(Timeout);
        await system.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Models:Catalog"] = _catalog.FullName,
            ["Models:Default"] = "doubling",
            ["WorkQueue:MaxLength"] = "3",
        });

        // A quorum queue enforces its limit one message late: it takes the message that fills it past the limit.
        var accepted = 0;
        HttpStatusCode full;
        JsonElement fullBody;
        while (true)
        {
            (full, fullBody) = await SubmitAsync(system, accepted + 1, 5, "tripling");
            if (full != HttpStatusCode.Accepted || accepted > 10)
            {
                break;
            }

            accepted++;
        }

        Assert.InRange(accepted, 3, 4);
        Assert.True(full == HttpStatusCode.TooManyRequests, $"{(int)full} {fullBody}");
        Assert.Contains($"{Topology.WorkQueue}.tripling.2", fullBody.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (other, otherBody) = await SubmitAsync(system, 5, 5, model: null);
        Assert.True(other == HttpStatusCode.Accepted, $"The default lane refused: {(int)other} {otherBody}");
        var (named, namedBody) = await SubmitAsync(system, 6, 5, "doubling");
        Assert.True(named == HttpStatusCode.Accepted, $"The default lane, named, refused: {(int)named} {namedBody}");
    }

    public void Dispose() => _catalog.Delete(recursive: true);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SubmitAsync(
        PredictionSystem system, long itemId, double featureValue, string? model)
    {
        using var response = await system.Http.PostAsJsonAsync("/predictions", new { itemId, featureValue, model });
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static DirectoryInfo Catalog(params (string Name, int Version, double Factor)[] models)
    {
        var folder = Directory.CreateTempSubdirectory("catalog-");
        foreach (var (name, version, factor) in models)
        {
            var path = Directory.CreateDirectory(Path.Combine(folder.FullName, name, $"{version}")).FullName;
            var manifest = $$"""{"backend": "Simulated", "factor": {{factor}}, "cost": "00:00:00"}""";
            File.WriteAllText(Path.Combine(path, "manifest.json"), manifest, Encoding.UTF8);
        }

        return folder;
    }
}
