using System.Globalization;
using Predictions.Worker.Pipeline;

namespace Predictions.Bench;

/// <summary>One measured run: the limit, a warm-up, the load through one door, and what every process used.</summary>
public sealed class BenchRun(BenchOptions options, WorkloadPlan plan, BenchSystem system)
{
    // Sizes of the real messages, so the raw flow moves the same bytes: a request as each door publishes it (both
    // plain JSON; the gateway's also carries when it was submitted) and a PredictionCompleted envelope.
    private const int PlainRequestBytes = 95;
    private const int GatewayRequestBytes = 147;
    private const int ResultBytes = 1_150;

    private static readonly TimeSpan BacklogHold = TimeSpan.FromSeconds(10);

    // The exporters send every 5 s (OTEL_BSP_SCHEDULE_DELAY's default): a second more without a request
    // means what ran before has all arrived.
    private static readonly TimeSpan ExportQuiet = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan ExportWaitLimit = TimeSpan.FromSeconds(30);

    public async Task<Report> ExecuteAsync(CancellationToken cancellationToken)
    {
        var report = await MeasureAsync(cancellationToken);
        if (system.TraceSink is not { } sink)
        {
            return report;
        }

        // After the run's figures, so that waiting for the last exports costs the measured processes nothing.
        Console.Error.WriteLine("Waiting for the run's last trace exports...");
        var complete = await sink.WaitQuietAsync(ExportQuiet, ExportWaitLimit, cancellationToken);
        var (requests, bytes) = (sink.RequestCount, sink.ByteCount);
        const string SinkNote = "the trace sink runs in the bench process: its CPU is in the bench row";
        return report with
        {
            Tracing = new Report.TracingFigures(options.Tracing.ToString(), options.Tracing.Sampler, requests, bytes, complete),
            Notes = report.Notes is null ? SinkNote : $"{report.Notes}; {SinkNote}",
        };
    }

    private async Task<Report> MeasureAsync(CancellationToken cancellationToken)
    {
        double? raw = null;
        if (plan.Workload == Workload.Overhead)
        {
            Console.Error.WriteLine("Measuring the same message flow raw, with RabbitMQ.Client alone...");
            raw = await RawFlow.MeasureAsync(
                system.Amqp, Math.Min(plan.Requests, 20_000), plan.Concurrency, Prefetch(),
                requestCopy: options.Door == Door.Amqp,
                resultQueues: options.Door == Door.Amqp ? 3 : 2,
                requestBytes: options.Door == Door.Amqp ? PlainRequestBytes : GatewayRequestBytes,
                resultBytes: ResultBytes,
                cancellationToken);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Raw flow: {raw:0} messages/s"));
        }

        // Seed too: started processes answer their first requests slowly (JIT, connections), which a short run would count.
        if (plan.Workload is Workload.Overhead or Workload.Cpu or Workload.Seed)
        {
            var warmUp = plan with { Requests = options.WarmUp ?? Math.Max(plan.Concurrency, plan.Requests / 10) };
            Console.Error.WriteLine($"Warming up with {warmUp.Requests} requests...");
            await RunDoorAsync(warmUp, awaitOutcome: true, _ => { }, cancellationToken);
        }

        // Every mode settles as long after the warm-up (the runtime's background recompiling, the warm-up's outcomes
        // still being stored), so runs with and without tracing compare like with like.
        if (system.TraceSink is { } sink)
        {
            // The warm-up's spans still on their way would count as the run's.
            Console.Error.WriteLine("Waiting for the warm-up's trace exports...");
            await sink.WaitQuietAsync(ExportQuiet, ExportWaitLimit, cancellationToken);
            sink.Reset();
        }
        else
        {
            await Task.Delay(ExportQuiet, cancellationToken);
        }

        var workers = system.WorkerProbes.Select(probes => new MetricsScraper(new Uri(probes, "metrics"))).ToList();
        var gateways = system.Gateways.Select(address => new MetricsScraper(new Uri(address, "/metrics"))).ToList();
        var before = await MetricsScraper.ScrapeAnyAsync(workers);
        using var monitor = new ProcessMonitor(system.Processes.Append(("bench", Environment.ProcessId)));
        using var threadPool = new ThreadPoolWatch(
            MetricsScraper.Named("worker", workers).Concat(MetricsScraper.Named("gateway", gateways)).ToDictionary());

        Console.Error.WriteLine($"Running {plan.Requests} requests through the {options.Door} door, {plan.Concurrency} clients...");
        var backlog = plan.Workload == Workload.Backlog;
        var result = await RunDoorAsync(plan, awaitOutcome: !backlog, Print, cancellationToken);
        string? notes = null;
        if (backlog)
        {
            // What matters is memory while the requests wait, not during the burst that queued them.
            monitor.ResetPeaks();
            notes = await HoldBacklogAsync(cancellationToken);
        }

        var after = await MetricsScraper.ScrapeAnyAsync(workers);
        var throughput = result.Completed / result.Elapsed.TotalSeconds;
        var limit = backlog ? (double?)null : plan.Limit(raw);
        return new Report
        {
            Workload = plan.Workload.ToString().ToLowerInvariant(),
            Door = options.Door.ToString().ToLowerInvariant(),
            Client = options.Door == Door.Http ? options.Client.ToString().ToLowerInvariant() : null,
            PollIntervalMs = options.PollEvery?.TotalMilliseconds,
            Requests = plan.Requests,
            Concurrency = plan.Concurrency,
            Workers = options.Workers,
            Gateways = options.Gateways,
            Completed = result.Completed,
            Failed = result.Failed,
            DurationSeconds = Math.Round(result.Elapsed.TotalSeconds, 2),
            ThroughputPerSecond = Math.Round(throughput, 1),
            LimitPerSecond = limit is { } l ? Math.Round(l, 1) : null,
            Limit = backlog ? "none: the requests are only queued" : plan.LimitExplained,
            RatioToLimit = limit is { } bound ? Math.Round(throughput / bound, 3) : null,
            LatencyMs = result.Latency(),
            OutcomeDelayMs = result.OutcomeDelay(),
            StageMeansMs = before is null || after is null ? new Dictionary<string, double?>() : MetricsScraper.StageMeansMs(before, after),
            PollsPerPrediction = options.Door == Door.Http && result.Finished > 0 ? Math.Round((double)result.Polls / result.Finished, 2) : null,
            MeanBatchSize = before is null || after is null ? null : MetricsScraper.MeanBatchSize(before, after),
            Processes = monitor.Report(),
            ThreadPool = threadPool.Peaks(),
            Settings = plan.Settings,
            Machine = new Report.MachineInfo(
                Environment.ProcessorCount, System.Runtime.InteropServices.RuntimeInformation.OSDescription, system.Description),
            Notes = notes,
        };

        void Print(LoadResult progress) => Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {progress.Completed + progress.Failed}/{plan.Requests} done, {progress.Failed} failed, p50 {progress.Percentile(50):0} ms"));
    }

    private Task<LoadResult> RunDoorAsync(WorkloadPlan run, bool awaitOutcome, Action<LoadResult> progress, CancellationToken cancellationToken) =>
        options.Door == Door.Http
            ? HttpDoor.RunAsync(
                system.Gateways.Count > 0 ? system.Gateways : throw new ArgumentException("The http door needs a gateway (--gateway)."),
                run, awaitOutcome, progress, cancellationToken, pollInterval: options.PollEvery)
            : AmqpDoor.RunAsync(system.Amqp, run, awaitOutcome, progress, cancellationToken);

    /// <summary>With every request queued, watch memory for a while: the queue must stay in the broker, not in our processes.</summary>
    private async Task<string> HoldBacklogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await system.Amqp.ConnectAsync("bench", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var depth = (await channel.QueueDeclarePassiveAsync("prediction-worker", cancellationToken)).MessageCount;
        Console.Error.WriteLine($"{depth} requests wait in prediction-worker; watching memory for {BacklogHold.TotalSeconds:0} s...");
        await Task.Delay(BacklogHold, cancellationToken);
        return $"{depth} requests were waiting in prediction-worker; peak RSS is over the {BacklogHold.TotalSeconds:0} s they waited "
            + "(lifetime includes the burst that queued them)";
    }

    // The worker's own rule, so the raw flow keeps as many messages in flight as the worker does.
    private int Prefetch() => new WorkerOptions
    {
        MaxInFlight = plan.Settings.TryGetValue("Worker:MaxInFlight", out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : null,
    }.MaxInFlightFor(plan.PoolBound, plan.BatchSize);
}
