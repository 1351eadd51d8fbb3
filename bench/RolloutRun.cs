using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Predictions.Bench;

/// <summary>
/// The <c>rollout</c> workload: the fast model's latency under a fixed load before, while and after the admin API loads
/// the item scorer on the workers (checksum, ONNX session, one warm-up inference, off the inference threads). Loading
/// shares the cores with the lanes already serving, so this is what a rollout costs them.
/// </summary>
public sealed class RolloutRun(BenchOptions options, WorkloadPlan plan, BenchSystem system)
{
    private const string Baseline = "baseline";
    private const string During = "while loading";
    private const string After = "after";

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    private static string Loaded => $"{RolloutCatalog.Scorer}:{RolloutCatalog.ScorerVersion}";

    public async Task<Report> ExecuteAsync(CancellationToken cancellationToken)
    {
        var gateways = system.Gateways.Count > 0 ? system.Gateways : throw new ArgumentException("The rollout workload needs a gateway.");
        var catalog = plan.RolloutCatalog ?? throw new ArgumentException("The rollout workload needs its own catalog.");
        using var admin = new HttpClient { BaseAddress = gateways[0], Timeout = WorkloadPlan.RolloutLoadWait + TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Add("X-Admin-Key", plan.AdminKey);

        // A wrong key or a gateway without the admin API would only show at the load: find out before any phase.
        using (var check = await admin.GetAsync(new Uri($"/admin/models/{RolloutCatalog.Fast}", UriKind.Relative), cancellationToken))
        {
            if (check.StatusCode != HttpStatusCode.OK)
            {
                var problem = await check.Content.ReadAsStringAsync(cancellationToken);
                throw new InvalidOperationException($"The admin API answered {(int)check.StatusCode}: {problem}");
            }
        }

        // A tenth of a phase, as isolation warms up, left the baseline still speeding up (tiered JIT): a whole phase's worth.
        var warmUp = plan;
        Console.Error.WriteLine($"Warming up with {warmUp.Requests} fast requests...");
        await HttpDoor.RunAsync(gateways, warmUp, awaitOutcome: true, _ => { }, cancellationToken, RolloutCatalog.Fast);
        await Task.Delay(Settle, cancellationToken);

        var workers = system.WorkerProbes.Select(probes => new MetricsScraper(new Uri(probes, "metrics"))).ToList();
        var gatewayMetrics = gateways.Select(address => new MetricsScraper(new Uri(address, "/metrics"))).ToList();
        using var monitor = new ProcessMonitor(system.Processes.Append(("bench", Environment.ProcessId)));
        using var threadPool = new ThreadPoolWatch(
            MetricsScraper.Named("worker", workers).Concat(MetricsScraper.Named("gateway", gatewayMetrics)).ToDictionary());

        // Phase 1: the fast model alone, nothing loading.
        var baseline = await FastPhaseAsync(Baseline, plan, workers, null, cancellationToken);

        // Phase 2: the version enters the catalog only now, so no host loaded it at start-up; the fast load runs from the
        // call until its answer.
        catalog.AddScorer();
        Console.Error.WriteLine($"Loading {Loaded} through the admin API, the fast load running meanwhile...");
        var loadClock = Stopwatch.StartNew();
        var load = LoadAsync(admin, loadClock, cancellationToken);
        var during = await FastPhaseAsync(
            During, plan with { Requests = int.MaxValue }, workers, () => load.IsCompleted, cancellationToken);
        var (status, loadTime, body) = await load;
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Loading {Loaded} answered {(int)status} after {loadTime.TotalSeconds:0.0} s: {body}");
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Loaded} ready after {loadTime.TotalSeconds:0.00} s."));

        // Phase 3: the same fast load with the version loaded beside it, idle.
        var after = await FastPhaseAsync(After, plan, workers, null, cancellationToken);

        // Outside the phases: the version loaded serves.
        var served = await HttpDoor.RunAsync(gateways, plan with { Requests = 1, Concurrency = 1 }, awaitOutcome: true, _ => { },
            cancellationToken, Loaded);

        var phases = new[] { baseline, during, after };
        var completed = phases.Sum(phase => phase.Result.Completed);
        var elapsed = TimeSpan.FromTicks(phases.Sum(phase => phase.Result.Elapsed.Ticks));
        return new Report
        {
            Workload = plan.Workload.ToString().ToLowerInvariant(),
            Door = options.Door.ToString().ToLowerInvariant(),
            Requests = phases.Sum(phase => phase.Figures.Requests),
            Concurrency = plan.Concurrency,
            Workers = options.Workers,
            Gateways = options.Gateways,
            Completed = completed,
            Failed = phases.Sum(phase => phase.Result.Failed) + served.Failed,
            DurationSeconds = Math.Round(elapsed.TotalSeconds, 2),
            ThroughputPerSecond = Math.Round(completed / elapsed.TotalSeconds, 1),
            LimitPerSecond = null,
            Limit = "none: the figure is the fast model's latency while a version loads over its latency before",
            RatioToLimit = null,
            LatencyMs = during.Figures.LatencyMs!,
            StageMeansMs = during.Figures.StageMeansMs,
            Processes = monitor.Report(),
            ThreadPool = threadPool.Peaks(),
            // The admin key is the run's own and dies with it, but has no place in a report.
            Settings = plan.Settings.ToDictionary(
                setting => setting.Key, setting => setting.Key == "Admin:Key" ? "(random, this run's)" : setting.Value),
            Machine = new Report.MachineInfo(
                Environment.ProcessorCount, System.Runtime.InteropServices.RuntimeInformation.OSDescription, system.Description),
            Models = [.. phases.Select(phase => phase.Figures)],
            Rollout = new Report.RolloutFigures(
                Loaded,
                Math.Round(loadTime.TotalSeconds, 2),
                Ratios(during.Result, baseline.Result),
                Ratios(after.Result, baseline.Result),
                [.. phases.Select(phase => phase.Resources)],
                served.Completed == 1),
            Notes = "completed, failed, throughput and CPU per prediction count the fast requests of the three phases (CPU includes "
                + $"the load's); latency and stage means are the fast model's while {Loaded} loaded; the models section has each phase",
        };
    }

    private sealed record Phase(LoadResult Result, Report.ModelFigures Figures, Report.PhaseResources Resources);

    /// <summary>
    /// The fast load: <see cref="WorkloadPlan.Requests"/> of <paramref name="load"/>, or as many as start within the phase limit,
    /// or before <paramref name="until"/> returns true; with the workers' memory and everyone's CPU over the phase.
    /// </summary>
    private async Task<Phase> FastPhaseAsync(
        string phase, WorkloadPlan load, List<MetricsScraper> workers, Func<bool>? until, CancellationToken cancellationToken)
    {
        var limit = until is null ? WorkloadPlan.IsolationPhaseLimit : WorkloadPlan.RolloutLoadWait + TimeSpan.FromSeconds(10);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Running {(until is null ? $"up to {load.Requests}" : "the")} fast requests ({phase}), {load.Concurrency} clients, "
            + $"for at most {limit.TotalSeconds:0} s..."));
        var before = await MetricsScraper.ScrapeAnyAsync(workers);
        using var monitor = new ProcessMonitor(system.Processes);
        var result = await HttpDoor.RunAsync(
            system.Gateways, load, awaitOutcome: true, Print, cancellationToken, RolloutCatalog.Fast, limit, until);
        var processes = monitor.Report();
        var after = await MetricsScraper.ScrapeAnyAsync(workers);
        var figures = new Report.ModelFigures(
            phase, RolloutCatalog.Fast, result.Completed + result.Failed, result.Completed, result.Failed,
            Math.Round(result.Elapsed.TotalSeconds, 2), Math.Round(result.Completed / result.Elapsed.TotalSeconds, 1),
            result.Latency(),
            before is null || after is null ? new Dictionary<string, double?>() : MetricsScraper.StageMeansMs(before, after, RolloutCatalog.Fast));
        var workerProcesses = processes.Where(process => process.Name.StartsWith("worker", StringComparison.Ordinal)).ToList();
        var workerCpu = workerProcesses.Sum(process => process.CpuSeconds);
        var resources = new Report.PhaseResources(
            phase,
            figures.DurationSeconds,
            workerProcesses.Select(process => process.PeakRssMb).DefaultIfEmpty().Max(),
            workerProcesses.Select(process => process.LifetimePeakRssMb).DefaultIfEmpty().Max(),
            Math.Round(workerCpu, 2),
            Math.Round(workerCpu / result.Elapsed.TotalSeconds, 2),
            RoleReport.PerPrediction(processes.Sum(process => process.CpuSeconds), result.Completed));
        return new Phase(result, figures, resources);

        void Print(LoadResult progress) => Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {progress.Completed + progress.Failed} done, {progress.Failed} failed, p50 {progress.Percentile(50):0} ms"));
    }

    /// <summary>The load call, waiting for the version to be ready; its status, wall time and body.</summary>
    private static async Task<(HttpStatusCode Status, TimeSpan Elapsed, string Body)> LoadAsync(
        HttpClient admin, Stopwatch clock, CancellationToken cancellationToken)
    {
        var wait = WorkloadPlan.RolloutLoadWait.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        using var answer = await admin.PutAsync(
            new Uri($"/admin/models/{RolloutCatalog.Scorer}/versions/{RolloutCatalog.ScorerVersion}?wait={wait}", UriKind.Relative),
            content: null, cancellationToken);
        var elapsed = clock.Elapsed;
        return (answer.StatusCode, elapsed, await answer.Content.ReadAsStringAsync(cancellationToken));
    }

    private static Report.Ratios Ratios(LoadResult phase, LoadResult baseline) =>
        new(phase.RatioTo(baseline, 50), phase.RatioTo(baseline, 95), phase.RatioTo(baseline, 99));
}
