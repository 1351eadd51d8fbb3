using Predictions.Integration.Tests.Faults;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using Xunit.Abstractions;

namespace Predictions.Integration.Tests.Cluster;

/// <summary>
/// The worker and the gateway on a three-node cluster: every queue on all three nodes, and the loss of the node
/// that leads the work queue, under load, costs no accepted prediction and answers no client with a 500.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Fault")]
public sealed class NodeLossTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static readonly string[] ServiceQueues =
    [
        Topology.WorkQueue, Topology.SuspectQueue, Topology.PoisonQueue, Topology.PoisonedQueue,
        Topology.AuditQueue, Topology.StatusQueue, Topology.StatusRequestsQueue,
    ];

    private static readonly Dictionary<string, string> Settings = new(FaultTests.Model)
    {
        ["WorkQueue:QuorumInitialGroupSize"] = "3",
    };

    [Fact]
    public async Task Killing_the_work_queue_leader_loses_no_prediction()
    {
        var cluster = fixture.Cluster;
        await cluster.StartKilledNodesAsync();
        await using var system = await PredictionSystem.CreateAsync(cluster.Broker);
        await system.StartWorkerAsync(Settings);
        await system.StartGatewayAsync(Settings);
        await AssertEveryQueueOnEveryNodeAsync(system);

        var ledger = await Ledger.OpenAsync(system, recomputations: true);
        // Until 300 accepted requests are unfinished: the bound lasts however long a node takes to start again on a
        // busy machine (3,000 ran dry there), and the books still close in seconds.
        await using var load = HttpLoad.Start(
            system, ledger, maxSubmissions: 20_000, backlog: new(300, () => FaultTests.CompletedByWorkerAsync(system)));
        await load.WaitForAcceptedAsync(100, Timeout);

        await using var unavailable = UnavailableWindow.Watch(ledger);
        load.AssertRunning("the node was killed");
        var loss = await LeaderLoss.KillLeaderAsync(cluster, system.Broker.Name, Topology.WorkQueue, Timeout);

        // The system goes on without the node, then gets it back.
        await load.WaitForAcceptedAsync(ledger.Accepted + 200, Timeout);
        load.AssertRunning("the node was started again");
        await cluster.StartNodeAsync(loss.Killed);
        await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);
        await load.StopAsync();

        output.WriteLine($"{loss.Describe(cluster, Topology.WorkQueue)}.");
        output.WriteLine($"Clients saw {ledger.UncertainBecause("503")} answers 503 {unavailable.Describe(loss.SinceKill)}; {ledger.Describe()}.");

        await ledger.VerifyAsync(system, Timeout);
    }

    private async Task AssertEveryQueueOnEveryNodeAsync(PredictionSystem system)
    {
        var missing = "";
        await Eventually.HoldsAsync(
            async () =>
            {
                var incomplete = new List<string>();
                foreach (var queue in ServiceQueues)
                {
                    var leadership = await fixture.Cluster.QueueLeadershipAsync(system.Broker.Name, queue);
                    if (leadership is not { Members.Count: 3 })
                    {
                        incomplete.Add($"{queue}: {(leadership is null ? "no leader" : $"{leadership.Value.Members.Count} members")}");
                    }
                }

                missing = string.Join(", ", incomplete);
                return incomplete.Count == 0;
            },
            Timeout,
            () => $"Not every queue has a member on each of the three nodes: {missing}");
    }
}
