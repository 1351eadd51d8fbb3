using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

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
    public async Task A_key_in_progress_gets_409_and_after_a_503_a_retry_with_another_deadline_gets_the_same_prediction()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);

        // Time enough for a second request to come while the first waits for its confirm.
        await system.StartGatewayAsync(new Dictionary<string, string> { ["Gateway:PublishTimeout"] = "00:00:04" });
        var key = Guid.NewGuid().ToString();

        // The work queue stops confirming, as one without a leader does: only the timeout ends the first request.
        await fixture.Broker.Control.SuspendQueueAsync(system.Broker.Name, Topology.WorkQueue);
        string claimed;
        try
        {
            var first = SendAsync(system, key, "/predictions", Body(deadlineInMinutes: 10));
            claimed = await ClaimedIdAsync(system, key);
            using (var concurrent = await SendAsync(system, key, "/predictions", Body(deadlineInMinutes: 10)))
            {
                Assert.Equal(HttpStatusCode.Conflict, concurrent.StatusCode);
                Assert.Equal("application/problem+json", concurrent.Content.Headers.ContentType?.MediaType);
                Assert.NotNull(concurrent.Headers.RetryAfter);
            }

            using var unavailable = await first;
            Assert.True(
                unavailable.StatusCode == HttpStatusCode.ServiceUnavailable,
                $"{(int)unavailable.StatusCode} {await unavailable.Content.ReadAsStringAsync()}\n{system.Describe()}");
            Assert.NotNull(unavailable.Headers.RetryAfter);
        }
        finally
        {
            await fixture.Broker.Control.ResumeQueueAsync(system.Broker.Name, Topology.WorkQueue);
        }

        // The deadline is not part of the match: a retry that recomputes it is the same request.
        var (retryStatus, retry) = await PostAsync(system, key, Body(deadlineInMinutes: 20));
        var (replayStatus, replay) = await PostAsync(system, key, Body(deadlineInMinutes: 30));

        Assert.True(retryStatus == HttpStatusCode.Accepted, $"{(int)retryStatus} {retry}\n{system.Describe()}");
        Assert.Equal(claimed, retry.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Accepted, replayStatus);
        Assert.Equal(claimed, replay.GetProperty("id").GetString());

        // The first attempt may have been stored after all, once the queue resumed: a copy of the same prediction,
        // which the worker and the stores collapse into one. Never a second prediction.
        var ids = new List<string?>();
        while (await system.Broker.GetAsync(Topology.WorkQueue) is { } message)
        {
            ids.Add(message.BasicProperties.MessageId);
        }

        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.Equal(claimed, id));
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

    private static string Body(int deadlineInMinutes) =>
        $$"""{"itemId": 5, "featureValue": 1.5, "deadline": "{{DateTimeOffset.UtcNow.AddMinutes(deadlineInMinutes):O}}"}""";

    /// <summary>The prediction id the key was claimed for, once the gateway has claimed it.</summary>
    private static async Task<string> ClaimedIdAsync(PredictionSystem system, string key)
    {
        string? id = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                await using var connection = new SqliteConnection($"Data Source={system.ResultsDatabase};Mode=ReadOnly;Pooling=False");
                await connection.OpenAsync();
                await using var select = connection.CreateCommand();
                select.CommandText = "SELECT prediction_id FROM owned_idempotency_keys WHERE idempotency_key = $key AND published = 0";
                select.Parameters.AddWithValue("$key", key);
                id = (string?)await select.ExecuteScalarAsync();
                return id is not null;
            },
            TimeSpan.FromSeconds(30),
            () => $"the gateway did not claim the key.\n{system.Describe()}");
        return id!;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(PredictionSystem system, string key, string body)
    {
        using var response = await SendAsync(system, key, "/predictions", body);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<HttpResponseMessage> SendAsync(
        PredictionSystem system, string key, string path, string body = """{"itemId": 5, "featureValue": 1.5}""")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return await system.Http.SendAsync(request);
    }
}
