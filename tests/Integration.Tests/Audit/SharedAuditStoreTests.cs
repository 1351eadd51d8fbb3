using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Audit;

/// <summary>
/// Two workers writing one audit file, as docker-compose runs them: under load every prediction completes
/// with exactly one row, and neither worker meets an error it cannot wait out.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class SharedAuditStoreTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private const int Predictions = 300;

    /// <summary>Quick enough that outcomes, and so audit writes from both workers, come thick and fast.</summary>
    private static readonly IReadOnlyDictionary<string, string> BusyWorker = new Dictionary<string, string>
    {
        ["Metadata:SimulatedLatency"] = "00:00:00.01",
        ["Model:SimulatedCost"] = "00:00:00.005",
    };

    private static readonly string[] ErrorQueues =
        [
            .. new[] { Topology.WorkQueue, Topology.SuspectQueue, Topology.AuditQueue, Topology.StatusQueue, Topology.StatusRequestsQueue }
                .Select(q => $"{q}_error"),
        ];

    [Fact]
    public async Task Two_workers_on_one_audit_file_under_load_audit_every_prediction_exactly_once_without_errors()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);

        // Started together on a file neither has created yet; each needs its own inference journal.
        var workers = new List<(ServiceProcess Process, Uri Probes)>();
        foreach (var journal in new[] { "inference-1.journal", "inference-2.journal" })
        {
            var worker = system.StartWorker(new Dictionary<string, string>(BusyWorker) { ["Inference:JournalFile"] = journal });
            workers.Add((worker, system.WorkerProbes!));
        }

        await Eventually.HoldsAsync(
            async () => workers.All(w => !w.Process.HasExited)
                && (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Consumers == 2
                && (await system.Broker.GetQueueAsync(Topology.AuditQueue))?.Consumers == 2,
            Timeout,
            () => $"The two workers did not both start consuming.\n{system.Describe()}");
        await system.StartGatewayAsync();

        var ids = new string[Predictions];
        await Parallel.ForAsync(0, Predictions, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            ids[i] = (await system.SubmitAsync(itemId: i, featureValue: i)).GetProperty("id").GetString()!);

        var rows = await system.Audit.WaitForAsync(ids, Timeout);
        Assert.Equal(Predictions, (await system.Audit.ReadAsync()).Count);
        Assert.All(rows, row => Assert.Equal("completed", row.Outcome));
        Assert.Equal(
            Enumerable.Range(0, Predictions).Select(i => 2.0 * i), ids.Select(id => rows.Single(r => r.PredictionId == id).Prediction!.Value));

        // Both computed some: the load really was shared.
        Assert.Equal(
            workers.Select(w => w.Process.Id).Order(),
            rows.Select(r => int.Parse(r.Worker[(r.Worker.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
                .Distinct()
                .Order());

        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
            Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString()));
        foreach (var queue in ErrorQueues)
        {
            Assert.Equal(0u, (await system.Broker.GetQueueAsync(queue))?.Messages ?? 0u);
        }

        using var http = new HttpClient();
        foreach (var (worker, probes) in workers)
        {
            Assert.False(worker.HasExited, system.Describe());
            var failures = worker.Output.Split('\n')
                .Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
                .ToList();
            Assert.True(failures.Count == 0, $"Worker {worker.Id} logged errors:\n{string.Join('\n', failures)}");

            // Both wrote to the file: each audit consumer stored some of the batches.
            var metrics = await http.GetStringAsync(new Uri(probes, "metrics"));
            Assert.True(
                PrometheusText.Sample(
                    metrics, "messaging_masstransit_consume_duration_milliseconds_count", "consumer_type=\"PredictionAuditConsumer\"") > 0,
                $"Worker {worker.Id} audited nothing.");
        }
    }
}
