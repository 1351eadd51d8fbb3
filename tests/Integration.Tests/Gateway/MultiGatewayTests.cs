using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Predictions.Integration.Tests.Gateway;

/// <summary>
/// Two gateways on one PostgreSQL database, as behind a load balancer: either answers for any prediction,
/// a long poll on one is woken when the other stores the outcome, and an idempotency key holds across both.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class MultiGatewayTests(BrokerFixture fixture, ITestOutputHelper output)
{
    /// <summary>From the outcome's arrival to the waiting client's answer, with room for a loaded machine.</summary>
    private static readonly TimeSpan WokenWithin = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // No recheck within any wait here: only a wake-up can end one early.
    private static readonly Dictionary<string, string> NoRecheck = new() { ["Gateway:LongPollRecheck"] = "00:10:00" };

    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    [Fact]
    public async Task A_long_poll_on_either_gateway_is_woken_by_the_outcome_whichever_gateway_stores_it()
    {
        await using var database = await PostgresLocator.CreateDatabaseAsync();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        system.UsePostgres(database.ConnectionString);
        using var a = await StartGatewayAsync(system);
        using var b = await StartGatewayAsync(system);
        var id = (await system.SubmitAsync(3, 4)).GetProperty("id").GetString()!;

        // No worker yet: an answer can only be "completed" if its request waited for it. The outcome is consumed
        // and stored by one gateway; the other's client is woken across gateways.
        var waitingOnA = AnswerAsync(a, $"/predictions/{id}?wait=30");
        var waitingOnB = AnswerAsync(b, $"/predictions/{id}?wait=30");
        await WaitingAsync(a);
        await WaitingAsync(b);
        await system.StartWorkerAsync(Settings.QuickModel);
        var stored = await StoredAsync(a, id);
        var (onA, answeredOnA) = await waitingOnA;
        var (onB, answeredOnB) = await waitingOnB;

        output.WriteLine(
            $"Answered {(answeredOnA - stored).TotalMilliseconds:0} ms (gateway A) and {(answeredOnB - stored).TotalMilliseconds:0} ms (gateway B) "
            + "after the outcome could first be read.");
        Assert.Equal("completed", onA.GetProperty("status").GetString());
        Assert.Equal("completed", onB.GetProperty("status").GetString());
        Assert.Equal(8, onB.GetProperty("prediction").GetDouble());
        Assert.True(
            answeredOnA - stored < WokenWithin, $"gateway A answered {(answeredOnA - stored).TotalMilliseconds:0} ms after the outcome was stored");
        Assert.True(
            answeredOnB - stored < WokenWithin, $"gateway B answered {(answeredOnB - stored).TotalMilliseconds:0} ms after the outcome was stored");
    }

    [Fact]
    public async Task The_same_idempotency_key_sent_to_both_gateways_at_once_makes_one_prediction()
    {
        const int Keys = 10;
        await using var database = await PostgresLocator.CreateDatabaseAsync();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        system.UsePostgres(database.ConnectionString);
        await system.StartWorkerAsync(Settings.QuickModel);
        using var a = await StartGatewayAsync(system);
        using var b = await StartGatewayAsync(system);

        var answers = await Task.WhenAll(Enumerable.Range(0, Keys).Select(async key =>
        {
            var idempotencyKey = $"key-{Guid.NewGuid()}";
            var both = await Task.WhenAll(SubmitAsync(a, idempotencyKey, key), SubmitAsync(b, idempotencyKey, key));
            return (Key: idempotencyKey, Answers: both);
        }));

        foreach (var (key, both) in answers)
        {
            // Each answer is the prediction the key made, or "another request with this key is under way".
            Assert.All(both, answer => Assert.True(
                answer.Status is HttpStatusCode.Accepted or HttpStatusCode.OK or HttpStatusCode.Conflict, $"{key}: {answer.Status} {answer.Id}"));
            Assert.Single(both.Where(answer => answer.Id is not null).Select(answer => answer.Id).Distinct());
        }

        // One prediction per key reached the system: stored once, computed and audited once.
        await Eventually.HoldsAsync(
            async () => await database.ScalarAsync<long>("SELECT count(*) FROM prediction_audit") >= Keys,
            Timeout,
            () => $"not every key's prediction was audited.\n{system.Describe()}");
        Assert.Equal(Keys, await database.ScalarAsync<long>("SELECT count(*) FROM predictions"));
        Assert.Equal(Keys, await database.ScalarAsync<long>("SELECT count(*) FROM prediction_audit"));
    }

    private static async Task<HttpClient> StartGatewayAsync(PredictionSystem system)
    {
        await system.StartGatewayAsync(NoRecheck);
        return new HttpClient { BaseAddress = system.Http.BaseAddress, Timeout = Timeout };
    }

    private static async Task<(HttpStatusCode Status, string? Id)> SubmitAsync(HttpClient gateway, string key, int featureValue)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predictions")
        {
            Content = new StringContent($$"""{"itemId": 7, "featureValue": {{featureValue}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await gateway.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, response.IsSuccessStatusCode ? body.GetProperty("id").GetString() : null);
    }

    private static Task WaitingAsync(HttpClient gateway) =>
        Eventually.HoldsAsync(
            async () => PrometheusText.SampleIfRecorded(await gateway.GetStringAsync("/metrics"), "prediction_waiting_clients") == 1,
            Timeout,
            () => $"the client of {gateway.BaseAddress} is not waiting");

    private static async Task<(JsonElement Body, TimeSpan At)> AnswerAsync(HttpClient client, string path)
    {
        var body = await client.GetFromJsonAsync<JsonElement>(path);
        return (body, Clock.Elapsed);
    }

    /// <summary>When a client could first read the prediction as no longer queued, on the test's stopwatch.</summary>
    private static async Task<TimeSpan> StoredAsync(HttpClient gateway, string id)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while ((await gateway.GetFromJsonAsync<JsonElement>($"/predictions/{id}", deadline.Token)).GetProperty("status").GetString() == "queued")
        {
            await Task.Delay(10, deadline.Token);
        }

        return Clock.Elapsed;
    }
}
