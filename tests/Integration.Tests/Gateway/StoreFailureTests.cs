using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Gateway;

/// <summary>
/// The results store failing where the gateway writes to it. After the broker confirmed a submission the
/// request exists, so the client still hears 202 and its id, and a retry with the same Idempotency-Key finds
/// the same prediction. The failures are injected into the real file with SQLite triggers, after the gateway
/// created its schema, or by another connection holding its write lock, which outcomes wait out in their queue
/// and submissions do not wait for; a file the gateway cannot open at all makes polls 503.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class StoreFailureTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Gateway:StoreTimeout (2 s by default) with room for a slow machine; far below SQLite's 30 s busy timeout.
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_queued_record_that_cannot_be_written_still_answers_202_and_the_key_replays_the_prediction()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var gateway = await system.StartGatewayAsync();
        await ExecuteAsync(
            system, "CREATE TRIGGER injected_failure BEFORE INSERT ON predictions BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
        var key = Guid.NewGuid().ToString();

        using var first = await PostAsync(system, key);
        using var retry = await PostAsync(system, key);

        var id = await AssertAcceptedAsync(first);
        Assert.Equal(id, await AssertAcceptedAsync(retry));
        Assert.Equal(1u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages);
        Assert.Single(
            gateway.Output.Split('\n'), line => line.StartsWith("warn:", StringComparison.Ordinal) && line.Contains(id, StringComparison.Ordinal));

        // Not in the store until its outcome arrives, which records it.
        Assert.Equal(HttpStatusCode.NotFound, (await system.Http.GetAsync($"/predictions/{id}")).StatusCode);
        await ExecuteAsync(system, "DROP TRIGGER injected_failure;");
        await system.StartWorkerAsync(Settings.QuickModel);
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_prediction_whose_queued_record_could_not_be_written_is_its_owners_alone_once_its_outcome_arrives()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(Settings.TwoApiKeys);
        using var alice = system.ClientWithKey(Settings.AliceKey);
        using var bob = system.ClientWithKey(Settings.BobKey);
        await ExecuteAsync(
            system, "CREATE TRIGGER injected_failure BEFORE INSERT ON predictions BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");

        using var accepted = await alice.PostAsync(
            "/predictions", new StringContent("""{"itemId": 6, "featureValue": 2}""", Encoding.UTF8, "application/json"));
        var id = await AssertAcceptedAsync(accepted);
        await ExecuteAsync(system, "DROP TRIGGER injected_failure;");
        await system.StartWorkerAsync(Settings.QuickModel);

        // The owner came back with the outcome: the prediction is alice's, and to bob it does not exist.
        await Eventually.HoldsAsync(
            async () => (await alice.GetAsync($"/predictions/{id}")).StatusCode == HttpStatusCode.OK, Timeout, () => "the outcome never arrived");
        Assert.Equal(4, JsonDocument.Parse(await alice.GetStringAsync($"/predictions/{id}")).RootElement.GetProperty("prediction").GetDouble());
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/predictions/{id}")).StatusCode);
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
        await ExecuteAsync(
            system, "CREATE TRIGGER injected_failure BEFORE INSERT ON predictions BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");

        // Unlike an unreadable request, this is the gateway's own failure: it keeps MassTransit's error line.
        await system.Broker.PublishAsync(
            Topology.PredictionRequests, $$"""{"predictionId": "{{Guid.NewGuid()}}", "itemId": 2, "featureValue": 3}""");

        await gateway.WaitForOutputAsync(new Regex($"^fail: .*R-FAULT .*{Topology.StatusRequestsQueue}.*injected failure"), Timeout);
    }

    [Fact]
    public async Task Outcomes_wait_in_their_queue_while_the_store_is_locked_and_arrive_once_it_is_free()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);

        // A short busy timeout, so each write against the locked file fails after a second and is retried.
        var gateway = await system.StartGatewayAsync(
            new Dictionary<string, string> { ["ConnectionStrings:Results"] = $"Data Source={system.ResultsDatabase};Default Timeout=1" });
        var id = (await system.SubmitAsync(3, 4)).GetProperty("id").GetString()!;

        // The gateway recorded the request as queued before it answered, and gets no copy of its own requests
        // from the broker: the only write to fail is the outcome's.

        // Another process holds the file's write lock, as a backup tool or an operator's shell might.
        await using (var holder = new SqliteConnection($"Data Source={system.ResultsDatabase};Pooling=False"))
        {
            await holder.OpenAsync();
            await using var exclusive = holder.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            await exclusive.ExecuteNonQueryAsync();
            await system.StartWorkerAsync(Settings.QuickModel);

            // As many failed writes as an ordinary error gets tries before the error queue (one and four retries):
            // the outcome is completed after the lock only if the outage is waited out for longer.
            await Eventually.HoldsAsync(
                () => Task.FromResult(Regex.Count(gateway.Output, "writes to .*results.db failed and wait to be retried") >= 5),
                Timeout,
                () => $"the gateway did not fail and retry its writes to the locked store.\n{system.Describe()}");
            await Eventually.HoldsAsync(
                async () => (await system.Broker.DepthOfAsync(Topology.StatusQueue)).Total == 1,
                Timeout,
                () => "the outcome does not wait in the status queue");

            // Polls are still answered: WAL lets reads past the lock.
            using var poll = await system.Http.GetAsync($"/predictions/{id}");
            Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
            Assert.Equal("queued", JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());

            await using var release = holder.CreateCommand();
            release.CommandText = "ROLLBACK";
            await release.ExecuteNonQueryAsync();
        }

        Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
        Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.StatusQueue + "_error"))?.Messages ?? 0u);
        Assert.False(gateway.HasExited, $"The gateway exited.\n{system.Describe()}");
    }

    [Fact]
    public async Task A_submission_with_a_key_while_the_store_is_locked_gets_a_prompt_503_publishes_nothing_and_its_retry_is_accepted()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var gateway = await system.StartGatewayAsync();
        var startup = gateway.Output.Split('\n').Length;
        var key = Guid.NewGuid().ToString();

        // SQLite's default busy timeout (30 s) is in force: the answer must come well before it.
        await using (await LockAsync(system))
        {
            var clock = Stopwatch.StartNew();
            using var refused = await PostAsync(system, key);
            Assert.True(clock.Elapsed < Prompt, $"The 503 took {clock.Elapsed}.");
            await AssertStoreUnavailableAsync(refused);

            // The gateway declares the work queue with its first publish: no queue, nothing published.
            Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages ?? 0u);
        }

        using var retry = await PostAsync(system, key);
        await AssertAcceptedAsync(retry);
        Assert.Equal(1u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages);

        // One quiet line for the refused request; no error, no stack trace.
        var warning = (await gateway.WaitForOutputAsync(new Regex("^warn: .*answered 503"), Timeout)).Value;
        Assert.DoesNotContain(" at ", warning, StringComparison.Ordinal);
        var lines = gateway.Output.Split('\n').Skip(startup).ToList();
        Assert.Single(lines, line => line.Contains("answered 503", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.StartsWith("fail:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_submission_without_a_key_while_the_store_is_locked_is_published_and_accepted_within_the_store_timeout()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var gateway = await system.StartGatewayAsync();

        await using (await LockAsync(system))
        {
            var clock = Stopwatch.StartNew();
            var id = (await system.SubmitAsync(5, 1.5)).GetProperty("id").GetString()!;
            Assert.True(clock.Elapsed < Prompt, $"The 202 took {clock.Elapsed}.");
            Assert.Equal(1u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages);

            // Its queued record is given up, in one line without a stack trace; its outcome will record it.
            var warning = (await gateway.WaitForOutputAsync(new Regex($"^warn: .*{id}"), Timeout)).Value;
            Assert.DoesNotContain(" at ", warning, StringComparison.Ordinal);
            Assert.Single(gateway.Output.Split('\n'), line => line.Contains(id, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_poll_the_store_cannot_answer_gets_503_with_retry_after_and_the_next_one_after_it_is_back_gets_the_prediction()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);

        // Without pooling each poll opens the file anew, so it meets the file's absence at once.
        await system.StartGatewayAsync(
            new Dictionary<string, string> { ["ConnectionStrings:Results"] = $"Data Source={system.ResultsDatabase};Pooling=False" });
        var id = (await system.SubmitAsync(3, 4)).GetProperty("id").GetString()!;

        // A folder where the file was, as when its volume is gone: SQLite cannot open it.
        var aside = system.ResultsDatabase + ".aside";
        File.Move(system.ResultsDatabase, aside);
        Directory.CreateDirectory(system.ResultsDatabase);
        using (var refused = await system.Http.GetAsync($"/predictions/{id}"))
        {
            await AssertStoreUnavailableAsync(refused);
        }

        Directory.Delete(system.ResultsDatabase);
        File.Move(aside, system.ResultsDatabase);
        using var poll = await system.Http.GetAsync($"/predictions/{id}");
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
    }

    /// <summary>Asserts a 503 problem of type store-unavailable with a Retry-After.</summary>
    private static async Task AssertStoreUnavailableAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(
            response.StatusCode == HttpStatusCode.ServiceUnavailable,
            $"{response.RequestMessage?.Method} answered {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("tag:predictions.gateway,2026:store-unavailable", JsonDocument.Parse(text).RootElement.GetProperty("type").GetString());
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After was {response.Headers.RetryAfter}");
    }

    /// <summary>Another process holding the results file's write lock, as a backup tool or an operator's shell might, until disposed.</summary>
    private static async Task<SqliteConnection> LockAsync(PredictionSystem system)
    {
        var holder = new SqliteConnection($"Data Source={system.ResultsDatabase};Pooling=False");
        await holder.OpenAsync();
        await using var exclusive = holder.CreateCommand();
        exclusive.CommandText = "BEGIN EXCLUSIVE";
        await exclusive.ExecuteNonQueryAsync();
        return holder;
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
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predictions")
        {
            Content = new StringContent("""{"itemId": 5, "featureValue": 1.5}""", Encoding.UTF8, "application/json"),
        };
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
