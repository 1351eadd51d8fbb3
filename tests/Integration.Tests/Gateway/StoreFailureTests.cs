using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Integration.Tests.Gateway;

/// <summary>
/// The results store failing where the gateway writes to it. After the broker confirmed a submission the
/// request exists, so the client still hears 202 and its id, and a retry with the same Idempotency-Key finds
/// the same prediction. The failures are injected into the real file with SQLite triggers, after the gateway
/// created its schema.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class StoreFailureTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_queued_record_that_cannot_be_written_still_answers_202_and_the_key_replays_the_prediction()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var gateway = await system.StartGatewayAsync();
        await ExecuteAsync(system, "CREATE TRIGGER injected_failure BEFORE INSERT ON predictions BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
        var key = Guid.NewGuid().ToString();

        using var first = await PostAsync(system, key);
        using var retry = await PostAsync(system, key);

        var id = await AssertAcceptedAsync(first);
        Assert.Equal(id, await AssertAcceptedAsync(retry));
        Assert.Equal(1u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages);
        Assert.Single(gateway.Output.Split('\n'), line => line.StartsWith("warn:", StringComparison.Ordinal) && line.Contains(id, StringComparison.Ordinal));

        // Not in the store until its outcome arrives, which records it.
        Assert.Equal(HttpStatusCode.NotFound, (await system.Http.GetAsync($"/predictions/{id}")).StatusCode);
        await ExecuteAsync(system, "DROP TRIGGER injected_failure;");
        await system.StartWorkerAsync(Settings.QuickModel);
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_key_that_cannot_be_marked_published_still_answers_202_and_a_retry_gets_the_same_prediction()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();
        await ExecuteAsync(system, """
            CREATE TRIGGER injected_failure BEFORE UPDATE ON owned_idempotency_keys WHEN NEW.published = 1
            BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
            """);
        var key = Guid.NewGuid().ToString();

        using var first = await PostAsync(system, key);
        using var retry = await PostAsync(system, key);

        var id = await AssertAcceptedAsync(first);
        Assert.Equal(id, await AssertAcceptedAsync(retry));
        await system.StartWorkerAsync(Settings.QuickModel);
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_direct_request_the_store_cannot_record_is_still_logged_as_a_fault()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var gateway = await system.StartGatewayAsync();
        await ExecuteAsync(system, "CREATE TRIGGER injected_failure BEFORE INSERT ON predictions BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");

        // Unlike an unreadable request, this is the gateway's own failure: it keeps MassTransit's error line.
        await system.Broker.PublishAsync(Topology.PredictionRequests, $$"""{"predictionId": "{{Guid.NewGuid()}}", "itemId": 2, "featureValue": 3}""");

        await gateway.WaitForOutputAsync(new Regex($"^fail: .*R-FAULT .*{Topology.StatusRequestsQueue}.*injected failure"), Timeout);
    }

    /// <summary>Asserts a 202 with the Location and a queued body, and returns the prediction id.</summary>
    private static async Task<string> AssertAcceptedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /predictions answered {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"/predictions/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("queued", body.GetProperty("status").GetString());
        return id;
    }

    private static async Task<HttpResponseMessage> PostAsync(PredictionSystem system, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predictions") { Content = new StringContent("""{"itemId": 5, "featureValue": 1.5}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return await system.Http.SendAsync(request);
    }

    private static async Task ExecuteAsync(PredictionSystem system, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={system.ResultsDatabase};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
