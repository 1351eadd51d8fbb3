using System.Globalization;

namespace Predictions.Bench;

/// <summary>
/// The <c>isolation</c> workload: the fast model's latency under a fixed load alone, then the same load beside a slow
/// model whose lane is backed up for the whole phase. Lanes share the pool threads, so this is what a slow or flooded
/// model costs the others.
/// </summary>
public sealed class IsolationRun(BenchOptions options, WorkloadPlan plan, BenchSystem system)
{
    private const string Alone = "alone";
    private const string Beside = "beside slow";

    // Long enough for the slow lane to have taken every thread it may before the fast load comes back.
    private static readonly TimeSpan SlowSettle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public async Task<Report> ExecuteAsync(CancellationToken cancellationToken)
    {
        var gateways = system.Gateways.Count > 0 ? system.Gateways : throw new ArgumentException("The isolation workload needs a gateway.");
        var fast = IsolationCatalog.Fast;
        var slow = IsolationCatalog.Slow;

        // Both lanes' first requests are slow (JIT, connections): warm both up, then let the warm-up's outcomes be stored.
        var warmUp = plan with { Requests = Math.Max(plan.Concurrency, plan.Requests / 10) };
        Console.Error.WriteLine($"Warming up with {warmUp.Requests} fast and {plan.PoolBound} slow requests...");
        await HttpDoor.RunAsync(gateways, warmUp, awaitOutcome: true, _ => { }, cancellationToken, fast);
        await HttpDoor.RunAsync(gateways, plan with { Requests = plan.PoolBound, Concurrency = plan.PoolBound },
            awaitOutcome: true, _ => { }, cancellationToken, slow);
        await Task.Delay(Settle, cancellationToken);

        var workers = system.WorkerProbes.Select(probes => new MetricsScraper(new Uri(probes, "metrics"))).ToList();
        var gatewayMetrics = gateways.Select(address => new MetricsScraper(new Uri(address, "/metrics"))).ToList();
        using var monitor = new ProcessMonitor(system.Processes.Append(("bench", Environment.ProcessId)));
        using var threadPool = new ThreadPoolWatch(
            MetricsScraper.Named("worker", workers).Concat(MetricsScraper.Named("gateway", gatewayMetrics)).ToDictionary());
        await using var connection = await system.Amqp.ConnectAsync("bench-isolation", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        async Task<long> SlowQueuedAsync() =>
            (await channel.QueueDeclarePassiveAsync(IsolationCatalog.SlowQueue, cancellationToken)).MessageCount;

        // Phase 1: the fast model alone.
        var (alone, aloneFigures) = await FastPhaseAsync(Alone, workers, cancellationToken);

        // Phase 2: a backlog of slow requests, only queued, then the same fast load beside it.
        var backlog = plan with { Requests = plan.SlowBacklog, Concurrency = 32 };
        Console.Error.WriteLine($"Queueing {backlog.Requests} slow requests ({IsolationCatalog.SlowCost.TotalMilliseconds:0} ms each)...");
        var queued = await HttpDoor.RunAsync(gateways, backlog, awaitOutcome: false, _ => { }, cancellationToken, slow);
        await Task.Delay(SlowSettle, cancellationToken);
        var slowBefore = await MetricsScraper.ScrapeAnyAsync(workers);
        var slowAtStart = await SlowQueuedAsync();
        var (beside, besideFigures) = await FastPhaseAsync(Beside, workers, cancellationToken);
        var slowAfter = await MetricsScraper.ScrapeAnyAsync(workers);
        var slowAtEnd = await SlowQueuedAsync();
        var slowDone = slowBefore is null || slowAfter is null ? 0 : MetricsScraper.Inferences(slowBefore, slowAfter, slow);
        var slowFigures = new Report.ModelFigures(
            Beside, slow, queued.Completed, slowDone, queued.Failed, besideFigures.DurationSeconds,
            Math.Round(slowDone / beside.Elapsed.TotalSeconds, 1), null,
            slowBefore is null || slowAfter is null ? new Dictionary<string, double?>() : MetricsScraper.StageMeansMs(slowBefore, slowAfter, slow),
            slowAtStart, slowAtEnd);

        // What is left of the backlog would only hold up the shutdown.
        var purged = await channel.QueuePurgeAsync(IsolationCatalog.SlowQueue, cancellationToken);
        Console.Error.WriteLine($"Purged the {purged} slow requests still queued.");

        var completed = alone.Completed + beside.Completed;
        var elapsed = alone.Elapsed + beside.Elapsed;
        return new Report
        {
            Workload = plan.Workload.ToString().ToLowerInvariant(),
            Door = options.Door.ToString().ToLowerInvariant(),
            // Sent, not asked for: a phase stops starting requests at its time limit.
            Requests = aloneFigures.Requests + besideFigures.Requests,
            Concurrency = plan.Concurrency,
            Workers = options.Workers,
            Gateways = options.Gateways,
            Completed = completed,
            Failed = alone.Failed + beside.Failed + queued.Failed,
            DurationSeconds = Math.Round(elapsed.TotalSeconds, 2),
            ThroughputPerSecond = Math.Round(completed / elapsed.TotalSeconds, 1),
            LimitPerSecond = null,
            Limit = "none: the figure is the fast model's latency beside the slow one over its latency alone",
            RatioToLimit = null,
            LatencyMs = besideFigures.LatencyMs!,
            StageMeansMs = besideFigures.StageMeansMs,
            Processes = monitor.Report(),
            ThreadPool = threadPool.Peaks(),
            Settings = plan.Settings,
            Machine = new Report.MachineInfo(
                Environment.ProcessorCount, System.Runtime.InteropServices.RuntimeInformation.OSDescription, system.Description),
            Models = [aloneFigures, besideFigures, slowFigures],
            Isolation = new Report.IsolationFigures(
                beside.RatioTo(alone, 50), beside.RatioTo(alone, 95), beside.RatioTo(alone, 99), slowAtEnd > 0),
            Notes = "completed, failed, throughput and CPU per prediction count the fast requests of both phases (failed also the slow "
                + "requests the gateway refused); latency and stage means are the fast model's beside the slow one; the models "
                + $"section has each phase. The slow requests are only queued: {slowDone} of them ran during the second phase",
        };
    }

    /// <summary>The fast load: <see cref="WorkloadPlan.Requests"/> requests, or as many as start within the phase limit.</summary>
    private async Task<(LoadResult Result, Report.ModelFigures Figures)> FastPhaseAsync(
        string phase, List<MetricsScraper> workers, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Running up to {plan.Requests} fast requests ({phase}), {plan.Concurrency} clients, "
            + $"for at most {WorkloadPlan.IsolationPhaseLimit.TotalSeconds:0} s..."));
        var before = await MetricsScraper.ScrapeAnyAsync(workers);
        var result = await HttpDoor.RunAsync(
            system.Gateways, plan, awaitOutcome: true, Print, cancellationToken, IsolationCatalog.Fast, WorkloadPlan.IsolationPhaseLimit);
        var after = await MetricsScraper.ScrapeAnyAsync(workers);
        var figures = new Report.ModelFigures(
            phase, IsolationCatalog.Fast, result.Completed + result.Failed, result.Completed, result.Failed,
            Math.Round(result.Elapsed.TotalSeconds, 2), Math.Round(result.Completed / result.Elapsed.TotalSeconds, 1),
            result.Latency(),
            before is null || after is null ? new Dictionary<string, double?>() : MetricsScraper.StageMeansMs(before, after, IsolationCatalog.Fast));
        return (result, figures);

        void Print(LoadResult progress) => Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {progress.Completed + progress.Failed} done, {progress.Failed} failed, p50 {progress.Percentile(50):0} ms"));
    }
}
