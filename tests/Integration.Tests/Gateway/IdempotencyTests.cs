using System.Net;
using System.Text;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Integration.Tests.Gateway;

[Collection(BrokerCollection.Name)]
public sealed class IdempotencyTests(BrokerFixture fixture)
{
    [Fact]
    public async Task The_same_key_returns_the_same_prediction_and_publishes_nothing_new()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();
        var key = Guid.NewGuid().ToString();

        var (firstStatus, first) = await PostAsync(system, key, """{"itemId": 5, "featureValue": 1.5}""");
        var (secondStatus, second) = await PostAsync(system, key, """{"itemId": 5, "featureValue": 1.5}""");

        Assert.Equal(HttpStatusCode.Accepted, firstStatus);
        Assert.Equal(HttpStatusCode.Accepted, secondStatus);
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal(1u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages);
    }

    [Fact]
    public async Task The_same_key_with_a_different_request_is_refused_and_publishes_nothing()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();
        var key = Guid.NewGuid().ToString();

        await PostAsync(system, key, """{"itemId": 5, "featureValue": 1.5}""");
        var (status, problem) = await PostAsync(system, key, """{"itemId": 5, "featureValue": 2.5}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("Idempotency-Key", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(1u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages);
    }

    [Fact]
    public async Task A_replay_without_wait_answers_202_with_the_location_even_once_the_prediction_is_finished()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();
        var key = Guid.NewGuid().ToString();
        var (_, first) = await PostAsync(system, key, """{"itemId": 5, "featureValue": 1.5}""");
        var id = first.GetProperty("id").GetString()!;
        await system.WaitForOutcomeAsync(id, TimeSpan.FromSeconds(60));

        using var replay = await SendAsync(system, key, "/predictions");
        using var zeroWaitReplay = await SendAsync(system, key, "/predictions?wait=0");
        using var waitingReplay = await SendAsync(system, key, "/predictions?wait=5");

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal($"/predictions/{id}", replay.Headers.Location?.OriginalString);
        var body = JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(id, body.GetProperty("id").GetString());
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Accepted, zeroWaitReplay.StatusCode);
        Assert.Equal(HttpStatusCode.OK, waitingReplay.StatusCode);
    }

    [Fact]
    public async Task A_malformed_key_is_a_400_naming_the_header()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();

        var (status, problem) = await PostAsync(system, new string('k', 300), """{"itemId": 5, "featureValue": 1.5}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(PredictionSystem system, string key, string body)
    {
        using var response = await SendAsync(system, key, "/predictions", body);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<HttpResponseMessage> SendAsync(PredictionSystem system, string key, string path, string body = """{"itemId": 5, "featureValue": 1.5}""")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return await system.Http.SendAsync(request);
    }
}
