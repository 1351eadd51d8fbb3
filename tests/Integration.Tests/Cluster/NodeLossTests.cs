using Predictions.Integration.Tests.Faults;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using Xunit.Abstractions;

namespace Predictions.Integration.Tests.Cluster;

/// <summary>
/// The worker and the gateway on a three-node cluster: every queue on all three nodes, and the loss of the node that leads
/// the work queue, or of the one that leads the outcome queues alone, under load, costs no accepted prediction and
/// answers no client with a 500.
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
    public Task Killing_the_work_queue_leader_loses_no_prediction() => KillLeaderUnderLoadAsync(Topology.WorkQueue, _ => Task.CompletedTask);

    [Fact]
    public Task Killing_the_node_that_leads_the_outcome_queues_but_not_the_work_queue_loses_no_outcome() =>
        KillLeaderUnderLoadAsync(Topology.StatusQueue, async system =>
        {
            await AssertOutcomeQueuesDeadLetterPastAnExplicitLimitAsync(system);

            // Leaders go to the node each queue was declared through: the outcome queues are moved off the work queue's.
            var cluster = fixture.Cluster;
            var work = await cluster.LeaderOfAsync(system.Broker.Name, Topology.WorkQueue) ?? throw new InvalidOperationException("no leader");
            var target = (work + 1) % 3;
            foreach (var queue in Topology.OutcomeQueues)
            {
                while (await cluster.LeaderOfAsync(system.Broker.Name, queue) is { } leader && leader != target)
                {
                    await cluster.MoveLeaderOffAsync(system.Broker.Name, queue, leader, Timeout);
                }
            }

            Assert.Equal(work, await cluster.LeaderOfAsync(system.Broker.Name, Topology.WorkQueue));
        });

    private async Task KillLeaderUnderLoadAsync(string queue, Func<PredictionSystem, Task> arrange)
    {
        var cluster = fixture.Cluster;
        await cluster.StartKilledNodesAsync();
        await using var system = await PredictionSystem.CreateAsync(cluster.Broker);
        await system.StartWorkerAsync(Settings);
        await system.StartGatewayAsync(Settings);
        await AssertEveryQueueOnEveryNodeAsync(system);
        await arrange(system);

        var ledger = await Ledger.OpenAsync(system, recomputations: true);
        // Until 300 accepted requests are unfinished: the bound lasts however long a node takes to start again on a
        // busy machine (3,000 ran dry there), and the books still close in seconds.
        await using var load = HttpLoad.Start(
            system, ledger, maxSubmissions: 20_000, backlog: new(300, () => FaultTests.CompletedByWorkerAsync(system)));
        await load.WaitForAcceptedAsync(100, Timeout);

        await using var unavailable = UnavailableWindow.Watch(ledger);
        load.AssertRunning("the node was killed");
        var loss = await LeaderLoss.KillLeaderAsync(cluster, system.Broker.Name, queue, Timeout);

        // The system goes on without the node, then gets it back.
        await load.WaitForAcceptedAsync(ledger.Accepted + 200, Timeout);
        load.AssertRunning("the node was started again");
        await cluster.StartNodeAsync(loss.Killed);
        await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);
        await load.StopAsync();

        output.WriteLine($"{loss.Describe(cluster, queue)}.");
        output.WriteLine($"Clients saw {ledger.UncertainBecause("503")} answers 503 {unavailable.Describe(loss.SinceKill)}; {ledger.Describe()}.");

        await ledger.VerifyAsync(system, Timeout);
    }

    // Never RabbitMQ 4's default limit of 20, and never dropped past it.
    private static async Task AssertOutcomeQueuesDeadLetterPastAnExplicitLimitAsync(PredictionSystem system)
    {
        foreach (var queue in Topology.OutcomeQueues)
        {
            var arguments = (await system.Broker.Owner.GetAsync<System.Text.Json.JsonElement>(
                $"api/queues/{Uri.EscapeDataString(system.Broker.Name)}/{queue}")).GetProperty("arguments");
            Assert.Equal(100, arguments.GetProperty("x-delivery-limit").GetInt32());
            Assert.Equal("at-least-once", arguments.GetProperty("x-dead-letter-strategy").GetString());
            Assert.Equal(queue + "_error", arguments.GetProperty("x-dead-letter-exchange").GetString());
        }
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
