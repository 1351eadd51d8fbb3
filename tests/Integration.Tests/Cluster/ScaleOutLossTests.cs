using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Predictions.Harness;
using Predictions.Integration.Tests.Faults;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using Xunit.Abstractions;

namespace Predictions.Integration.Tests.Cluster;

/// <summary>
/// The system as it runs across hosts: three RabbitMQ nodes, both stores in one PostgreSQL database, two
/// gateways behind a client-side balancer and three workers, each a process of its own. Under load it loses the
/// node leading the work queue, then a gateway, then a worker, each started again; no accepted prediction is
/// lost or doubled, both gateways read the same outcome, and no client is ever answered 500.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Fault")]
public sealed class ScaleOutLossTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private const int Workers = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static readonly Dictionary<string, string> Settings = new(FaultTests.Model)
    {
        ["WorkQueue:QuorumInitialGroupSize"] = "3",
    };

    [Fact]
    public async Task Losing_a_node_a_gateway_and_a_worker_under_load_loses_no_prediction()
    {
        var clock = Stopwatch.StartNew();
        var cluster = fixture.Cluster;
        await cluster.StartKilledNodesAsync();
        await using var database = await PostgresLocator.CreateDatabaseAsync();
        await using var system = await PredictionSystem.CreateAsync(cluster.Broker);
        system.UsePostgres(database.ConnectionString);

        // Each worker keeps its journal, as an orchestrator restarting it on its own volume would.
        var journals = Enumerable.Range(0, Workers).Select(i => Path.Combine(system.DataFolder, $"worker-{i}.journal")).ToArray();
        var workers = new ServiceProcess[Workers];
        var probes = new Uri[Workers];
        for (var i = 0; i < Workers; i++)
        {
            workers[i] = await system.StartWorkerAsync(WorkerSettings(journals[i]));
            probes[i] = system.WorkerProbes!;
        }

        // Each gateway keeps its address, as behind a load balancer.
        var addresses = Enumerable.Range(0, 2).Select(_ => new Uri($"http://127.0.0.1:{Ports.Free()}")).ToArray();
        var gateways = new ServiceProcess[addresses.Length];
        for (var i = 0; i < addresses.Length; i++)
        {
            gateways[i] = await system.StartGatewayAsync(GatewaySettings(addresses[i]));
        }

        using var first = new HttpClient { BaseAddress = addresses[0], Timeout = TimeSpan.FromSeconds(30) };
        using var second = new HttpClient { BaseAddress = addresses[1], Timeout = TimeSpan.FromSeconds(30) };
        var balancer = new GatewayBalancer([first, second]);
        await system.WaitUntilConsumingAsync(workers[^1], Workers);

        // A node just started again may still be joining the work queue's members: the losses start from a whole quorum.
        await Eventually.HoldsAsync(
            async () => await cluster.QueueLeadershipAsync(system.Broker.Name, Topology.WorkQueue) is { Members.Count: LocalRabbitMqCluster.Size },
            Timeout,
            () => $"the work queue never had all {LocalRabbitMqCluster.Size} members online");

        var ledger = await Ledger.OpenAsync(system, recomputations: true);
        await using var load = HttpLoad.Start(system, ledger, maxSubmissions: 8_000, gateways: balancer);
        await load.WaitForAcceptedAsync(100, Timeout);

        // 1. The node leading the work queue dies; another takes over and the load is accepted again.
        await using var unavailable = UnavailableWindow.Watch(ledger);
        load.AssertRunning("the node was killed");
        var loss = await LeaderLoss.KillLeaderAsync(cluster, system.Broker.Name, Topology.WorkQueue, Timeout);
        await load.WaitForAcceptedAsync(ledger.Accepted + 200, Timeout);
        var acceptedAgain = loss.SinceKill.Elapsed;
        load.AssertRunning("the node was started again");
        await cluster.StartNodeAsync(loss.Killed);
        await system.WaitUntilConsumingAsync(workers[^1], Workers);

        // A node just started again may still be joining the work queue's members: the losses start from a whole quorum.
        await Eventually.HoldsAsync(
            async () => await cluster.QueueLeadershipAsync(system.Broker.Name, Topology.WorkQueue) is { Members.Count: LocalRabbitMqCluster.Size },
            Timeout,
            () => $"the work queue never had all {LocalRabbitMqCluster.Size} members online");
        await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);
        output.WriteLine($"{loss.Describe(cluster, Topology.WorkQueue)}; 200 more accepted {acceptedAgain.TotalSeconds:0.0} s after the kill.");
        output.WriteLine($"Clients saw {ledger.UncertainBecause("503")} answers 503 {unavailable.Describe(loss.SinceKill)}.");

        // 2. A gateway dies: its clients move to the other one, and come back once it is started again.
        const int KilledGateway = 1;
        load.AssertRunning("the gateway was killed");
        gateways[KilledGateway].Kill();
        await gateways[KilledGateway].WaitForExitAsync(TimeSpan.FromSeconds(10));
        await Eventually.HoldsAsync(
            () => Task.FromResult(ledger.UncertainReasons.Any(r => r.EndsWith($"from gateway {KilledGateway}", StringComparison.Ordinal))),
            Timeout,
            () => $"No client noticed that gateway {KilledGateway} was down: {ledger.Describe()}");
        await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);
        load.AssertRunning("the gateway was started again");
        gateways[KilledGateway] = await system.StartGatewayAsync(GatewaySettings(addresses[KilledGateway]));
        await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);

        // 3. A worker dies, mid-inference if it can be caught there, and is started again on its journal.
        const int KilledWorker = 0;
        await WaitForBusyInferenceAsync(probes[KilledWorker]);
        load.AssertRunning("the worker was killed");
        workers[KilledWorker].Kill();
        await workers[KilledWorker].WaitForExitAsync(TimeSpan.FromSeconds(10));
        await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);
        load.AssertRunning("the worker was started again");
        workers[KilledWorker] = await system.StartWorkerAsync(WorkerSettings(journals[KilledWorker]));
        await system.WaitUntilConsumingAsync(workers[KilledWorker], Workers);
        await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);
        await load.StopAsync();
        var recovered = workers[KilledWorker].Output.Contains("The previous worker died while computing", StringComparison.Ordinal);
        output.WriteLine(
            $"Killed gateway {KilledGateway} and worker {KilledWorker} (its successor found {(recovered ? "requests" : "nothing")} in the journal); "
            + $"{ledger.Accepted + ledger.Uncertain} submissions in all: {ledger.Describe()}.");

        var brokenConnections = ledger.UncertainReasons.Where(r => r != "503").ToList();
        Assert.True(
            brokenConnections.All(r => r.EndsWith($"from gateway {KilledGateway}", StringComparison.Ordinal)),
            $"A connection broke on a gateway that was up: {string.Join(", ", brokenConnections)}.");
        await ledger.VerifyAsync(system, Timeout);
        await AssertBothGatewaysReadAsync(balancer, ledger.AcceptedIds);
        Assert.All(workers.Concat(gateways), p => Assert.False(p.HasExited, $"{p.Name} (pid {p.Id}) exited.\n{system.Describe()}"));
        output.WriteLine($"The test took {clock.Elapsed.TotalSeconds:0} s.");
    }

    private static Dictionary<string, string> WorkerSettings(string journal) => new(Settings) { ["Inference:JournalFile"] = journal };

    private static Dictionary<string, string> GatewaySettings(Uri address) => new(Settings) { ["ASPNETCORE_URLS"] = address.ToString() };

    private static async Task WaitForBusyInferenceAsync(Uri worker)
    {
        using var probes = new HttpClient { BaseAddress = worker };
        await Eventually.HoldsAsync(
            async () => PrometheusText.Sample(await probes.GetStringAsync("/metrics"), "prediction_inference_threads", "state=\"busy\"") >= 1,
            Timeout,
            () => "the worker ran no inference");
    }

    /// <summary>Every accepted prediction reads the same, and finished, through each gateway.</summary>
    private static async Task AssertBothGatewaysReadAsync(GatewayBalancer gateways, IEnumerable<string> ids)
    {
        var disagreements = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, token) =>
        {
            var statuses = new string?[gateways.Count];
            for (var gateway = 0; gateway < gateways.Count; gateway++)
            {
                var prediction = await gateways[gateway].GetFromJsonAsync<JsonElement>($"/predictions/{id}", token);
                statuses[gateway] = prediction.GetProperty("status").GetString();
            }

            if (statuses.Any(s => s != "completed"))
            {
                disagreements.Enqueue($"{id}: {string.Join(" / ", statuses)}");
            }
        });
        Assert.True(
            disagreements.IsEmpty,
            $"{disagreements.Count} predictions read otherwise than completed through both gateways, "
            + $"e.g. {string.Join("; ", disagreements.Take(5))}.");
    }
}
