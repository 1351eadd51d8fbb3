using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Gateway;

/// <summary>Clients that want the answer in one call.</summary>
[Collection(BrokerCollection.Name)]
public sealed class LongPollTests(BrokerFixture fixture)
{
    /// <summary>
    /// From the outcome's arrival to the waiting client's answer: milliseconds of work, with room for a loaded
    /// machine, yet well below the gateway's default one-second recheck.
    /// </summary>
    private static readonly TimeSpan WokenWithin = TimeSpan.FromMilliseconds(500);

    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    [Fact]
    public async Task Get_with_wait_answers_as_soon_as_the_outcome_is_stored()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);

        // No recheck within the wait: only the wake-up from the outcome's consumer can end it early.
        await system.StartGatewayAsync(new Dictionary<string, string> { ["Gateway:LongPollRecheck"] = "00:10:00" });
        var id = (await system.SubmitAsync(3, 4)).GetProperty("id").GetString()!;
        using var patient = new HttpClient { BaseAddress = system.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        // No worker yet: the answer can only be "completed" if the request waited for it.
        var waiting = AnswerAsync(patient, $"/predictions/{id}?wait=30");
        await Eventually.HoldsAsync(
            async () => PrometheusText.SampleIfRecorded(await system.Http.GetStringAsync("/metrics"), "prediction_waiting_clients") == 1,
            TimeSpan.FromSeconds(30),
            () => "the client is not waiting");
        await system.StartWorkerAsync(Settings.QuickModel);
        var stored = await StoredAsync(system, id);
        var (outcome, answered) = await waiting;

        Assert.Equal("completed", outcome.GetProperty("status").GetString());
        Assert.Equal(8, outcome.GetProperty("prediction").GetDouble());
        Assert.True(answered - stored < WokenWithin, $"answered {(answered - stored).TotalMilliseconds:0} ms after the outcome was stored");
    }

    [Fact]
    public async Task Get_with_wait_answers_with_the_current_status_when_the_wait_ends()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();
        var id = (await system.SubmitAsync(3, 4)).GetProperty("id").GetString()!;

        var sent = Clock.Elapsed;
        var (outcome, answered) = await AnswerAsync(system.Http, $"/predictions/{id}?wait=0.5");

        Assert.Equal("queued", outcome.GetProperty("status").GetString());

        // The gateway times the wait by the wall clock, this test by a stopwatch: a few milliseconds apart at most.
        Assert.True(
            answered - sent >= TimeSpan.FromSeconds(0.5) - TimeSpan.FromMilliseconds(10),
            $"answered {(answered - sent).TotalMilliseconds:0} ms after the request was sent, before the wait ended");
    }

    [Fact]
    public async Task Post_with_wait_returns_the_finished_prediction_in_one_call()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();

        using var response = await system.Http.PostAsync(
            "/predictions?wait=30", new StringContent("""{"itemId": 1, "featureValue": 21}""", Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(42, body.GetProperty("prediction").GetDouble());
    }

    [Fact]
    public async Task Post_with_a_wait_that_ends_before_the_outcome_answers_202_with_the_location_and_the_prediction_still_queued()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();

        // No worker: the wait can only run out.
        var clock = Stopwatch.StartNew();
        using var response = await system.Http.PostAsync(
            "/predictions?wait=1", new StringContent("""{"itemId": 1, "featureValue": 21}""", Encoding.UTF8, "application/json"));
        var waited = clock.Elapsed;
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/predictions/{body.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
        Assert.Equal("queued", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("prediction").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("completedAt").ValueKind);
        Assert.True(waited >= TimeSpan.FromSeconds(1), $"answered after {waited.TotalSeconds:0.###} s, before the wait ended");
    }

    [Fact]
    public async Task A_wait_longer_than_the_cap_is_cut_to_the_cap()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(new Dictionary<string, string> { ["Gateway:MaxWait"] = "00:00:01" });
        var id = (await system.SubmitAsync(3, 4)).GetProperty("id").GetString()!;
        using var patient = new HttpClient { BaseAddress = system.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };

        var outcome = await patient.GetFromJsonAsync<JsonElement>($"/predictions/{id}?wait=3600");

        Assert.Equal("queued", outcome.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Hundreds_of_waiting_clients_hold_no_threads()
    {
        const int Clients = 300;
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();
        var id = (await system.SubmitAsync(3, 4)).GetProperty("id").GetString()!;
        using var clients = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Clients })
        {
            BaseAddress = system.Http.BaseAddress,
            Timeout = TimeSpan.FromSeconds(120),
        };

        var waiting = Enumerable.Range(0, Clients).Select(_ => clients.GetFromJsonAsync<JsonElement>($"/predictions/{id}?wait=60")).ToList();
        await Eventually.HoldsAsync(
            async () => PrometheusText.SampleIfRecorded(await system.Http.GetStringAsync("/metrics"), "prediction_waiting_clients") == Clients,
            TimeSpan.FromSeconds(60),
            () => "not every client is waiting");
        var threads = PrometheusText.Sample(await system.Http.GetStringAsync("/metrics"), "dotnet_thread_pool_thread_count");
        await system.StartWorkerAsync(Settings.QuickModel);
        var outcomes = await Task.WhenAll(waiting);

        Assert.True(threads < 50, $"{Clients} waiting clients held {threads} thread-pool threads");
        Assert.All(outcomes, outcome => Assert.Equal("completed", outcome.GetProperty("status").GetString()));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("NaN")]
    public async Task A_bad_wait_is_a_400_naming_it(string wait)
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();

        using var response = await system.Http.GetAsync($"/predictions/{Guid.NewGuid()}?wait={wait}");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty("wait", out _));
    }

    /// <summary>The answer to a GET and when it came, on the test's stopwatch.</summary>
    private static async Task<(JsonElement Body, TimeSpan At)> AnswerAsync(HttpClient client, string path)
    {
        var body = await client.GetFromJsonAsync<JsonElement>(path);
        return (body, Clock.Elapsed);
    }

    /// <summary>When a client could first read the prediction as no longer queued, on the test's stopwatch.</summary>
    private static async Task<TimeSpan> StoredAsync(PredictionSystem system, string id)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await system.Http.GetFromJsonAsync<JsonElement>($"/predictions/{id}", deadline.Token)).GetProperty("status").GetString() == "queued")
        {
            await Task.Delay(10, deadline.Token);
        }

        return Clock.Elapsed;
    }
}
