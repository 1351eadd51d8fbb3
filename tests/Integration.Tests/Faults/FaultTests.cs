using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Integration.Tests.Pipeline;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Faults;

/// <summary>
/// Faults injected under load into the real processes; afterwards the ledger must balance: every request the
/// broker took completed with the right prediction and one audit row, nothing invented, every queue drained,
/// a second outcome only where a redelivery allows one (see <see cref="Ledger"/>).
/// </summary>
[Collection(FaultBrokerCollection.Name)]
[Trait("Category", "Fault")]
public sealed partial class FaultTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Long enough that a kill lands mid-inference, short enough that the backlog drains in seconds.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Model = new Dictionary<string, string>
    {
        ["Metadata:SimulatedLatency"] = "00:00:00.02",
        ["Model:SimulatedCost"] = "00:00:00.03",
        ["Inference:MaxConcurrency"] = "2",
        ["HostOptions:ShutdownTimeout"] = "00:00:15",
    };

    [Fact]
    public async Task A_worker_killed_mid_inference_twice_loses_nothing()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(Model);
        await system.StartGatewayAsync();
        var ledger = await Ledger.OpenAsync(system, recomputations: true);
        await using var load = HttpLoad.Start(system, ledger, maxSubmissions: 2_000);

        worker = await KillMidInferenceTwiceAsync(system, ledger, load, worker, Model);
        await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);
        await load.StopAsync();
        await ledger.VerifyAsync(system, Timeout);
        Assert.False(worker.HasExited, $"The restarted worker exited.\n{system.Describe()}");
    }

    [Fact]
    public async Task A_worker_serving_two_lanes_killed_mid_inference_loses_nothing_in_either()
    {
        // Two models that answer alike (2 × featureValue, as the ledger checks), each in a lane of its own.
        var catalog = Directory.CreateTempSubdirectory("catalog-");
        try
        {
            foreach (var name in new[] { "doubling", "twin" })
            {
                var version = Directory.CreateDirectory(Path.Combine(catalog.FullName, name, "1")).FullName;
                await File.WriteAllTextAsync(
                    Path.Combine(version, "manifest.json"), """{"backend": "Simulated", "factor": 2, "cost": "00:00:00.03"}""");
            }

            var models = new Dictionary<string, string> { ["Models:Catalog"] = catalog.FullName, ["Models:Default"] = "doubling" };
            var settings = Model.Concat(models).ToDictionary();
            await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
            var worker = await system.StartWorkerAsync(settings);
            await system.StartGatewayAsync(models);
            var ledger = await Ledger.OpenAsync(system, recomputations: true, lanes: ["twin.1"]);

            // Every other request names the second model; the rest name none and go to the default's lane.
            await using var load = HttpLoad.Start(
                system, ledger, maxSubmissions: 2_000, model: sequence => sequence % 2 == 0 ? "twin" : null);

            worker = await KillMidInferenceTwiceAsync(system, ledger, load, worker, settings);
            await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);
            await load.StopAsync();
            await ledger.VerifyAsync(system, Timeout);
            Assert.False(worker.HasExited, $"The restarted worker exited.\n{system.Describe()}");

            // Both lanes carried work through the kills, and each request was computed by the model it named.
            var audited = (await system.Audit.ReadAsync()).Where(row => row.Outcome == "completed").ToList();
            Assert.Contains(audited, row => row.Model == "doubling 1");
            Assert.Contains(audited, row => row.Model == "twin 1");
            Assert.All(audited, row => Assert.Equal(row.Prediction / 2 % 2 == 0 ? "twin 1" : "doubling 1", row.Model));
            Assert.Equal(0u, (await system.Broker.GetQueueAsync($"{Topology.WorkQueue}.twin.1"))?.Messages);
        }
        finally
        {
            catalog.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_worker_stopped_with_sigterm_under_load_finishes_or_returns_its_work()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(Model);
        await system.StartGatewayAsync();
        var ledger = await Ledger.OpenAsync(system);
        await using var load = HttpLoad.Start(system, ledger, maxSubmissions: 400);

        await load.WaitForAcceptedAsync(150, Timeout);
        await WaitForBusyInferenceAsync(system);
        load.AssertRunning("SIGTERM");
        worker.Terminate();
        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.True(exitCode == 0, $"The worker exited with {exitCode} on SIGTERM.\n{worker.Output}");
        Assert.False(ErrorLogLine().IsMatch(worker.Output), $"The worker logged an error while stopping.\n{worker.Output}");

        worker = await system.StartWorkerAsync(Model);
        await load.WaitForAcceptedAsync(300, Timeout);
        await load.StopAsync();
        await ledger.VerifyAsync(system, Timeout);
        Assert.False(worker.HasExited, $"The restarted worker exited.\n{system.Describe()}");
    }

    [Fact]
    public async Task A_broker_outage_under_load_answers_503_and_everything_accepted_completes_after_it()
    {
        var broker = fixture.Broker.Control;
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        // MassTransit's reconnection steps in the output, should a service fail to resume after the restart.
        var worker = await system.StartWorkerAsync(new Dictionary<string, string>(Model) { ["Logging:LogLevel:MassTransit"] = "Debug" });
        var gateway = await system.StartGatewayAsync(new Dictionary<string, string>
        {
            ["Gateway:PublishTimeout"] = "00:00:02",
            ["Logging:LogLevel:MassTransit"] = "Debug",
        });
        var ledger = await Ledger.OpenAsync(system, recomputations: true);
        await using var load = HttpLoad.Start(system, ledger, maxSubmissions: 5_000);
        await load.WaitForAcceptedAsync(100, Timeout);

        // The RabbitMQ application stopped inside its node; both services reconnect by themselves, so new
        // submissions are accepted and computed again.
        var refused = ledger.UncertainBecause("503");
        load.AssertRunning("stopping the broker");
        await broker.StopAppAsync();
        await Eventually.HoldsAsync(
            () => Task.FromResult(ledger.UncertainBecause("503") >= refused + 4),
            Timeout,
            () => $"the gateway did not answer 503 while the broker was down: {ledger.Describe()}\n{system.Describe()}");
        await broker.StartAppAsync();
        await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);

        // Then the whole node restarted. A restart shorter than Gateway:PublishTimeout refuses nothing, so
        // only what follows is checked: the services reconnect, and the books balance.
        load.AssertRunning("restarting the broker's node");
        await broker.RestartNodeAsync();
        await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);

        await load.StopAsync();
        await ledger.VerifyAsync(system, Timeout);
        Assert.False(worker.HasExited || gateway.HasExited, $"A service exited.\n{system.Describe()}");
    }

    [Fact]
    public async Task The_broker_restarted_or_killed_while_result_publishes_wait_for_their_confirms_every_endpoint_comes_back()
    {
        var broker = fixture.Broker.Control;
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        // Half the worker's usual pace, so a backlog builds up for the consumers to take while publishes are blocked.
        var worker = await system.StartWorkerAsync(new Dictionary<string, string>(Model)
        {
            ["Model:SimulatedCost"] = "00:00:00.06",
            ["Logging:LogLevel:MassTransit"] = "Debug",
        });
        var gateway = await system.StartGatewayAsync(new Dictionary<string, string> { ["Gateway:PublishTimeout"] = "00:00:02" });
        using var probes = new HttpClient { BaseAddress = system.WorkerProbes };
        var ledger = await Ledger.OpenAsync(system, recomputations: true);
        // Faster than the worker until 300 accepted requests wait: the backlog the test holds stays there however
        // long the outages take on a busy machine, and so does the load (at the worker's 33 a second, 20,000 last 10 minutes).
        await using var load = HttpLoad.Start(system, ledger, maxSubmissions: 20_000, backlog: new(300, () => CompletedByWorkerAsync(system)));
        await load.WaitForAcceptedAsync(100, Timeout);

        foreach (var (outage, name) in new (Func<Task>, string)[]
        {
            (broker.RestartNodeAsync, "restarted"), (broker.KillAndStartNodeAsync, "killed"),
        })
        {
            // The node stops reading from publishers: the worker's consumers take requests from the backlog and
            // hold them while the publishes of their results wait for confirms, which the outage then breaks off.
            await Eventually.HoldsAsync(
                async () => (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages >= 100,
                Timeout,
                () => "no backlog built up in the work queue");
            await broker.BlockPublishersAsync();
            await Eventually.HoldsAsync(
                async () => WaitingOnlyToPublish(await probes.GetStringAsync("/metrics")),
                Timeout,
                () => $"the worker's consumers did not pile up behind their blocked publishes.\n{system.Describe()}");
            load.AssertRunning($"the broker was {name}");
            await outage();

            // Every receive endpoint of both hosts consumes again, by itself.
            await Eventually.HoldsAsync(
                async () => (await probes.GetAsync("/health/ready")).IsSuccessStatusCode
                    && (await system.Http.GetAsync("/health/ready")).IsSuccessStatusCode,
                Timeout,
                () => $"a host did not consume again after the broker was {name}.\n{system.Describe()}");
            await system.WaitUntilConsumingAsync(worker);
            await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);
        }

        await load.StopAsync();
        await ledger.VerifyAsync(system, Timeout);
        Assert.False(worker.HasExited || gateway.HasExited, $"A service exited.\n{system.Describe()}");
    }

    /// <summary>Consumers active, yet none waits for or runs the model: they wait to publish their results.</summary>
    private static bool WaitingOnlyToPublish(string metrics) =>
        PrometheusText.Sample(metrics, "prediction_active") >= 8
        && PrometheusText.Sample(metrics, "prediction_inference_queue_length") == 0
        && PrometheusText.Sample(metrics, "prediction_inference_threads", "state=\"busy\"") == 0;

    [Fact]
    public async Task Results_published_while_the_gateway_is_down_reach_pollers_after_its_restart()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        // Half the worker's usual pace, so a backlog builds up under the load's pace.
        var worker = await system.StartWorkerAsync(new Dictionary<string, string>(Model) { ["Model:SimulatedCost"] = "00:00:00.06" });
        var gateway = await system.StartGatewayAsync();
        var ledger = await Ledger.OpenAsync(system);
        await using var load = HttpLoad.Start(system, ledger, maxSubmissions: 1_000, timeoutsExpected: true);

        await load.WaitForAcceptedAsync(300, Timeout);

        // A backlog of at least 50 requests, so results keep coming after the kill however fast the worker is.
        await Eventually.HoldsAsync(
            async () => (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages >= 50,
            Timeout,
            () => "no backlog built up in the work queue");
        var completedBefore = await CompletedByWorkerAsync(system);
        load.AssertRunning("killing the gateway");
        gateway.Kill();
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(10));

        // The worker works through the backlog with no gateway to hear it.
        await Eventually.HoldsAsync(
            async () => await CompletedByWorkerAsync(system) >= completedBefore + 50,
            Timeout,
            () => "the worker completed nothing while the gateway was down");
        Assert.True((await system.Broker.GetQueueAsync(Topology.StatusQueue))?.Messages > 0, "No outcome waited for the gateway.");
        await system.StartGatewayAsync();

        await load.WaitForAcceptedAsync(400, Timeout);
        await load.StopAsync();
        await ledger.VerifyAsync(system, Timeout);
        foreach (var id in ledger.AcceptedIds)
        {
            var prediction = await system.Http.GetFromJsonAsync<JsonElement>($"/predictions/{id}");
            Assert.Equal("completed", prediction.GetProperty("status").GetString());
        }

        Assert.False(worker.HasExited, $"The worker exited.\n{system.Describe()}");
    }

    [Fact]
    public async Task The_same_prediction_delivered_three_times_under_load_yields_one_result_and_one_audit_row()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(Model);
        await system.StartGatewayAsync();
        var ledger = await Ledger.OpenAsync(system);
        var requests = Enumerable.Range(0, 150).Select(_ => (Sequence: ledger.NextSequence(), Id: Guid.NewGuid().ToString())).ToList();

        // Three rounds, as a publisher retrying every message would: the copies meet in the queue and in flight.
        var connection = await system.Broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(
            new RabbitMQ.Client.CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        for (var round = 0; round < 3; round++)
        {
            foreach (var (sequence, id) in requests)
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(
                    new { predictionId = id, itemId = 1 + (sequence % 1000), featureValue = (double)sequence });
                await channel.BasicPublishAsync(
                    Topology.PredictionRequests,
                    "",
                    mandatory: false,
                    new RabbitMQ.Client.BasicProperties
                    {
                        ContentType = "application/json",
                        DeliveryMode = RabbitMQ.Client.DeliveryModes.Persistent,
                    },
                    body);
                ledger.RecordAccepted(sequence, id);
            }
        }

        await ledger.VerifyAsync(system, Timeout);
        Assert.False(worker.HasExited, $"The worker exited.\n{system.Describe()}");
    }

    [Fact]
    public async Task Outcomes_wait_in_their_queue_while_the_audit_store_is_locked_and_all_arrive_after()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);

        // A short busy timeout, so each write attempt against the locked file fails quickly and is retried; a short
        // longest wait, so the lock outlasts it and the outcomes go back to the tail of their queue meanwhile.
        var worker = await system.StartWorkerAsync(new Dictionary<string, string>(Model)
        {
            ["ConnectionStrings:Audit"] = $"Data Source={system.AuditDatabase};Default Timeout=1",
            [ShortOutageWait.Key] = ShortOutageWait.Value,
        });
        await system.StartGatewayAsync();
        var ledger = await Ledger.OpenAsync(system);
        await using var load = HttpLoad.Start(system, ledger, maxSubmissions: 400);
        await load.WaitForAcceptedAsync(50, Timeout);
        await Eventually.HoldsAsync(async () => (await system.Audit.ReadAsync()).Count > 0, Timeout, () => "nothing was audited before the lock");
        load.AssertRunning("locking the audit store");

        // Another process holds the file's write lock, as a backup tool or an operator's shell might.
        await using (var holder = new SqliteConnection($"Data Source={system.AuditDatabase};Pooling=False"))
        {
            await holder.OpenAsync();
            await using var exclusive = holder.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            await exclusive.ExecuteNonQueryAsync();
            var auditedBefore = await CountAuditRowsAsync(holder);
            var outage = Task.Delay(LongerThanQuickRetries);

            await load.WaitForAcceptedAsync(200, Timeout);
            await Eventually.HoldsAsync(
                () => Task.FromResult(Regex.Count(worker.Output, "writes to .*audit.db failed and wait to be retried") >= 2),
                Timeout,
                () => $"the worker did not fail and retry its writes to the locked store.\n{worker.Output}");

            await outage;
            Assert.Equal(auditedBefore, await CountAuditRowsAsync(holder));
            // Waiting means unacknowledged by the audit consumer or ready in the queue: the total counts both.
            await Eventually.HoldsAsync(
                async () => (await system.Broker.DepthOfAsync(Topology.AuditQueue)).Total > 0,
                Timeout,
                () => "no outcome waits in the audit queue while its store is locked");
            Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.AuditQueue + "_error"))?.Messages ?? 0u);
            await Eventually.HoldsAsync(
                () => Task.FromResult(worker.Output.Contains($"went back to the tail of {Topology.AuditQueue}", StringComparison.Ordinal)),
                Timeout,
                () => $"no outcome went back to its queue after waiting out the lock for Outages:MaxWait.\n{worker.Output}");
            await using var release = holder.CreateCommand();
            release.CommandText = "ROLLBACK";
            await release.ExecuteNonQueryAsync();
        }

        await load.StopAsync();
        await ledger.VerifyAsync(system, Timeout);
        Assert.False(worker.HasExited, $"The worker exited.\n{system.Describe()}");
    }

    [Fact]
    public async Task A_metadata_outage_pauses_the_work_and_fails_nothing_then_everything_completes()
    {
        await using var metadata = await MetadataServer.StartAsync();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        // A short longest wait, so the outage outlasts it and requests go back to the tail of the work queue meanwhile; a
        // short item budget, which must fail no request: a service that answers no one is down, not failing an item.
        // A delivery limit of 1, so a return the broker counted would send the request to the suspect queue.
        var strictQueue = new Dictionary<string, string> { ["WorkQueue:DeliveryLimit"] = "1" };
        var worker = await system.StartWorkerAsync(HttpMetadataTests.WithHttpMetadata(
            metadata,
            new Dictionary<string, string>(Model.Concat(strictQueue))
            {
                [ShortOutageWait.Key] = ShortOutageWait.Value,
                ["Metadata:ItemFailureBudget"] = "00:00:02",
            }));
        await system.StartGatewayAsync(strictQueue);
        var suspects = await BrokerTap.CreateAsync(system.Broker, "test-suspects", Topology.SuspectQueue);
        var ledger = await Ledger.OpenAsync(system);
        await using var load = HttpLoad.Start(system, ledger, maxSubmissions: 500);
        await load.WaitForAcceptedAsync(60, Timeout);

        load.AssertRunning("the metadata outage");
        metadata.Outage = true;
        var outage = Task.Delay(LongerThanQuickRetries);
        var accepted = ledger.Accepted;

        // Submissions are still accepted; they wait in the work queue instead of being failed.
        await load.WaitForAcceptedAsync(accepted + 100, Timeout);
        await Eventually.HoldsAsync(
            async () => (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages > 0,
            Timeout,
            () => "nothing waits in the work queue during the outage");
        await outage;
        Assert.Equal(0, await CountOutcomesAsync(system, "failed"));
        Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.WorkQueue + "_error"))?.Messages ?? 0u);
        Assert.Contains($"went back to the tail of {Topology.WorkQueue}", worker.Output, StringComparison.Ordinal);
        metadata.Outage = false;

        await load.StopAsync();
        await ledger.VerifyAsync(system, Timeout);
        Assert.Equal(0, await CountOutcomesAsync(system, "failed"));
        Assert.Empty(await suspects.CollectAsync());
        Assert.False(worker.HasExited, $"The worker exited.\n{system.Describe()}");
    }

    private static async Task<long> CountOutcomesAsync(PredictionSystem system, string status)
    {
        await using var connection = new SqliteConnection($"Data Source={system.ResultsDatabase};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM predictions WHERE status = $status";
        count.Parameters.AddWithValue("$status", status);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// How long a dependency stays down: longer than the few quick retries after which a message would go to
    /// the error queue if the outage counted against it (about 13 s for the audit store with a 1 s busy
    /// timeout, about 8 s for a request's metadata).
    /// </summary>
    internal static readonly TimeSpan LongerThanQuickRetries = TimeSpan.FromSeconds(20);

    /// <summary>A longest wait per delivery that these outages outlast several times over.</summary>
    private static readonly KeyValuePair<string, string> ShortOutageWait = new("Outages:MaxWait", "00:00:05");

    private static async Task<long> CountAuditRowsAsync(SqliteConnection connection)
    {
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM prediction_audit";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Kills the worker under load until two kills landed mid-inference, starting a new one with
    /// <paramref name="settings"/> after each; returns the last. A kill counts when the new worker found requests in
    /// its journal that were in the model; one that fell between two inferences is not what these tests are about.
    /// </summary>
    private static async Task<ServiceProcess> KillMidInferenceTwiceAsync(
        PredictionSystem system, Ledger ledger, HttpLoad load, ServiceProcess worker, IReadOnlyDictionary<string, string> settings)
    {
        var kills = 0;
        for (var landed = 1; landed <= 2; kills++)
        {
            Assert.True(kills < 6, $"Only {landed - 1} of {kills} kills landed mid-inference.\n{system.Describe()}");
            await load.WaitForAcceptedAsync(ledger.Accepted + 100, Timeout);
            await WaitForBusyInferenceAsync(system);
            load.AssertRunning($"kill {kills + 1}");
            worker.Kill();
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(10));
            worker = await system.StartWorkerAsync(settings);
            await worker.WaitForOutputAsync(PoolStarted(), Timeout);
            if (worker.Output.Contains("The previous worker died while computing", StringComparison.Ordinal))
            {
                landed++;
            }
        }

        return worker;
    }

    private static async Task WaitForBusyInferenceAsync(PredictionSystem system)
    {
        using var probes = new HttpClient { BaseAddress = system.WorkerProbes };
        await Eventually.HoldsAsync(
            async () => PrometheusText.Sample(await probes.GetStringAsync("/metrics"), "prediction_inference_threads", "state=\"busy\"") >= 1,
            Timeout,
            () => "no inference ran");
    }

    /// <summary>Predictions the system's last started worker completed, from its metrics.</summary>
    internal static async Task<double> CompletedByWorkerAsync(PredictionSystem system)
    {
        using var probes = new HttpClient { BaseAddress = system.WorkerProbes };
        return PrometheusText.SampleIfRecorded(
            await probes.GetStringAsync("/metrics"), "prediction_outcomes_total", "prediction_outcome=\"completed\"") ?? 0;
    }

    [GeneratedRegex("^(fail|crit): ", RegexOptions.Multiline)]
    private static partial Regex ErrorLogLine();

    /// <summary>Logged once the worker read its inference journal, which it does before the pool starts.</summary>
    [GeneratedRegex("Inference pool started")]
    private static partial Regex PoolStarted();
}
