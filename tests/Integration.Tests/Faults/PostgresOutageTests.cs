using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using Xunit.Abstractions;

namespace Predictions.Integration.Tests.Faults;

/// <summary>
/// The PostgreSQL server that holds both stores stopped under load, as a database failover or a restart does.
/// The SQLite counterparts (a lock held on the file) are in <see cref="FaultTests"/> and the gateway's
/// StoreFailureTests. While the server is down, outcomes wait in their queues and nothing goes to an error
/// queue; the gateway answers 503 + Retry-After where it needs the store; afterwards the ledger balances.
/// </summary>
[Collection(FaultBrokerCollection.Name)]
[Trait("Category", "Fault")]
public sealed partial class PostgresOutageTests(BrokerFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Outcomes_wait_in_their_queues_while_the_postgres_server_is_down_and_all_arrive_after()
    {
        var clock = Stopwatch.StartNew();
        await using var server = await PostgresLocator.FindAsync();
        Assert.True(
            server.CanStopAndStart,
            $"This test stops its PostgreSQL server, which it cannot do to the one from {server.Description}: "
            + "unset POSTGRES_URL so that it finds one of its own.");

        // Not dropped on its own: it goes with the server, which may be down when a failed test ends.
        var database = await server.CreateDatabaseAsync();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        system.UsePostgres(database.ConnectionString);
        var worker = await system.StartWorkerAsync(FaultTests.Model);

        // Waits long enough to outlast the outage, so a long poll can span it.
        var gateway = await system.StartGatewayAsync(new Dictionary<string, string> { ["Gateway:MaxWait"] = "00:02:00" });
        using var patient = new HttpClient { BaseAddress = system.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        var ledger = await Ledger.OpenAsync(system);
        await using var load = HttpLoad.Start(system, ledger, maxSubmissions: 5_000);
        await load.WaitForAcceptedAsync(50, Timeout);
        await Eventually.HoldsAsync(async () => (await system.Audit.ReadAsync()).Count > 0, Timeout, () => "nothing was audited before the outage");
        Assert.Single(ListeningLines(gateway));

        // The latest predictions accepted before the outage (their ids are version 7 Guids, which sort by time):
        // some may still be queued when it begins, so their outcomes are stored only after it.
        var latest = ledger.AcceptedIds.Order(StringComparer.Ordinal).TakeLast(10).ToList();
        load.AssertRunning("stopping the PostgreSQL server");
        await server.StopAsync();
        var down = Stopwatch.StartNew();
        var outage = Task.Delay(FaultTests.LongerThanQuickRetries);

        // Long polls started while the server is down wait it out instead of answering 503.
        var longPolls = latest.Select(id => patient.GetAsync($"/predictions/{id}?wait=120")).ToList();

        // Without an Idempotency-Key a submission needs only the broker: still 202.
        var accepted = ledger.Accepted;
        await load.WaitForAcceptedAsync(accepted + 20, Timeout);
        var id = await SubmitAsync(system, ledger);

        // What needs the store is refused with 503 + Retry-After, never 500, and a refused key publishes nothing.
        using (var poll = await system.Http.GetAsync($"/predictions/{id}"))
        {
            await AssertStoreUnavailableAsync(poll);
        }

        var key = Guid.NewGuid().ToString();
        var keyed = ledger.NextSequence();
        using (var refused = await PostWithKeyAsync(system, keyed, key))
        {
            await AssertStoreUnavailableAsync(refused);
        }

        await Eventually.HoldsAsync(
            async () => await MessagesAsync(system, Topology.AuditQueue) > 0 && await MessagesAsync(system, Topology.StatusQueue) > 0,
            Timeout,
            () => $"no outcome waits in {Topology.AuditQueue} and {Topology.StatusQueue} while the server is down.\n{system.Describe()}");
        await outage;
        Assert.True(
            await MessagesAsync(system, Topology.AuditQueue) > 0 && await MessagesAsync(system, Topology.StatusQueue) > 0,
            "The outcomes did not wait out the outage in their queues.");
        Assert.Empty(await ErrorQueuesWithMessagesAsync(system));
        if (longPolls.FirstOrDefault(poll => poll.IsCompleted) is { } early)
        {
            using var answer = await early;
            Assert.Fail(
                $"A long poll started during the outage was answered {(int)answer.StatusCode} before it ended: "
                + await answer.Content.ReadAsStringAsync());
        }

        load.AssertRunning("starting the PostgreSQL server again");
        await server.StartAsync();
        var outageLength = down.Elapsed;

        // The gateway listens for other gateways' outcomes again, and the long polls get their outcomes.
        await Eventually.HoldsAsync(
            () => Task.FromResult(ListeningLines(gateway).Count >= 2),
            Timeout,
            () => $"the gateway did not listen for outcomes again.\n{gateway.Output}");
        foreach (var answered in await Task.WhenAll(longPolls))
        {
            var text = await answered.Content.ReadAsStringAsync();
            Assert.True(answered.StatusCode == HttpStatusCode.OK, $"A long poll answered {(int)answered.StatusCode}: {text}");
            Assert.Equal("completed", JsonDocument.Parse(text).RootElement.GetProperty("status").GetString());
            answered.Dispose();
        }

        // The key refused during the outage is accepted now.
        using (var retry = await PostWithKeyAsync(system, keyed, key))
        {
            var text = await retry.Content.ReadAsStringAsync();
            Assert.True(retry.StatusCode == HttpStatusCode.Accepted, $"The retry with the refused key answered {(int)retry.StatusCode}: {text}");
            ledger.RecordAccepted(keyed, JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!);
        }

        await load.WaitForAcceptedAsync(ledger.Accepted + 50, Timeout);
        await load.StopAsync();
        await ledger.VerifyAsync(system, Timeout);
        Assert.False(worker.HasExited || gateway.HasExited, $"A service exited.\n{system.Describe()}");
        output.WriteLine(
            $"Server down {outageLength.TotalSeconds:0.0} s; {ledger.Accepted} accepted ({ledger.Describe()}); "
            + $"test took {clock.Elapsed.TotalSeconds:0} s.");
    }

    /// <summary>A submission of the ledger's without a key, its 202 recorded; its id.</summary>
    private static async Task<string> SubmitAsync(PredictionSystem system, Ledger ledger)
    {
        var sequence = ledger.NextSequence();
        var id = (await system.SubmitAsync(1 + (sequence % 1000), sequence)).GetProperty("id").GetString()!;
        ledger.RecordAccepted(sequence, id);
        return id;
    }

    private static Task<HttpResponseMessage> PostWithKeyAsync(PredictionSystem system, long sequence, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/predictions")
        {
            Content = JsonContent.Create(new { itemId = 1 + (sequence % 1000), featureValue = (double)sequence }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return system.Http.SendAsync(request);
    }

    /// <summary>Asserts a 503 problem of type store-unavailable with a Retry-After.</summary>
    private static async Task AssertStoreUnavailableAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(
            response.StatusCode == HttpStatusCode.ServiceUnavailable,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        Assert.Equal("tag:predictions.gateway,2026:store-unavailable", JsonDocument.Parse(text).RootElement.GetProperty("type").GetString());
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After was {response.Headers.RetryAfter}");
    }

    /// <summary>Ready and unacknowledged messages of a queue.</summary>
    private static async Task<long> MessagesAsync(PredictionSystem system, string queue) => (await system.Broker.DepthOfAsync(queue)).Total;

    private static async Task<IReadOnlyList<string>> ErrorQueuesWithMessagesAsync(PredictionSystem system) =>
        [.. (await system.Broker.QueueDepthsAsync())
            .Where(q => q.Key.EndsWith("_error", StringComparison.Ordinal) && q.Value.Total > 0)
            .Select(q => $"{q.Key} {q.Value.Total}")];

    private static IReadOnlyList<string> ListeningLines(ServiceProcess gateway) =>
        [.. gateway.Output.Split('\n').Where(line => ListeningForOutcomes().IsMatch(line))];

    [GeneratedRegex("Listening for outcomes")]
    private static partial Regex ListeningForOutcomes();
}
