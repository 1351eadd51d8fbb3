using System.Diagnostics;
using System.Globalization;
using Predictions.Worker.Models;
using Predictions.Worker.Models.Onnx;

namespace Predictions.Bench;

/// <summary>A workload made concrete: the settings the worker gets, how many requests, how many clients.</summary>
public sealed record WorkloadPlan(
    Workload Workload,
    int Requests,
    int Concurrency,
    int PoolBound,
    TimeSpan MetadataLatency,
    TimeSpan InferenceCost,
    IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>Worker processes sharing the load, each with a pool of <see cref="PoolBound"/> threads.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Inference threads across all workers.</summary>
    public int PoolThreads => Workers * PoolBound;

    /// <summary>For <c>cpu</c>: iterations of <see cref="CpuWork"/> per prediction and how many one core does per second.</summary>
    public (long Iterations, double PerSecond)? Cpu { get; init; }

    /// <summary>
    /// For <c>onnx</c>: how many predictions one core makes per second with the model alone, in batches of <see cref="BatchSize"/>.
    /// </summary>
    public double? OnnxPerSecond { get; init; }

    /// <summary>For <c>isolation</c>: the catalog folder with the fast and the slow model, which the run deletes.</summary>
    public IsolationCatalog? Catalog { get; init; }

    /// <summary>For <c>rollout</c>: the catalog folder with the fast model, where the item scorer is copied later; the run deletes it.</summary>
    public RolloutCatalog? RolloutCatalog { get; init; }

    /// <summary>For <c>rollout</c>: the admin API's key, new each run, given to the gateway in <c>Admin:Key</c>.</summary>
    public string? AdminKey { get; init; }

    /// <summary>For <c>rollout</c>: the longest the load call may wait for the version to be ready (its <c>?wait=</c>).</summary>
    public static TimeSpan RolloutLoadWait { get; } = TimeSpan.FromSeconds(120);

    /// <summary>For <c>isolation</c>: the longest each phase's fast load may run, whatever <see cref="Requests"/> says.</summary>
    public static TimeSpan IsolationPhaseLimit { get; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// For <c>isolation</c>: slow requests queued before the second phase, half again as many as every pool thread could
    /// run through the phase and the settling before it, so the slow lane stays backed up to the end.
    /// </summary>
    public int SlowBacklog => (int)Math.Ceiling(
        1.5 * (IsolationPhaseLimit + TimeSpan.FromSeconds(5)).TotalSeconds * PoolThreads / IsolationCatalog.SlowCost.TotalSeconds);

    /// <summary>The worker's <c>Inference:MaxBatchSize</c>.</summary>
    public int BatchSize => Settings.TryGetValue("Inference:MaxBatchSize", out var size) ? int.Parse(size, CultureInfo.InvariantCulture) : 1;

    public static WorkloadPlan For(BenchOptions options)
    {
        var settings = new Dictionary<string, string>();
        (long, double)? cpu = null;
        IsolationCatalog? catalog = null;
        RolloutCatalog? rolloutCatalog = null;
        string? adminKey = null;
        switch (options.Workload)
        {
            case Workload.Seed or Workload.Backlog:
                settings["Metadata:SimulatedLatency"] = "00:00:00.5";
                settings["Model:SimulatedCost"] = "00:00:01";
                break;
            case Workload.Cpu:
                var iterations = CpuWork.IterationsFor(TimeSpan.FromMilliseconds(20));
                cpu = (iterations, SingleThreadRate(iterations));
                settings["Metadata:SimulatedLatency"] = "00:00:00.05";
                settings["Model:SimulatedCostKind"] = "Cpu";
                settings["Model:SimulatedCpuIterations"] = iterations.ToString(CultureInfo.InvariantCulture);
                break;
            case Workload.Overhead:
                settings["Metadata:SimulatedLatency"] = "00:00:00";
                settings["Model:SimulatedCost"] = "00:00:00";
                break;
            case Workload.Onnx:
                settings["Metadata:SimulatedLatency"] = "00:00:00.01";
                settings["Model:SimulatedCost"] = "00:00:00";
                settings["Model:Backend"] = "Onnx";
                settings["Model:Path"] = ScorerPath;
                for (var i = 0; i < ScorerFeatures.Length; i++)
                {
                    settings[$"Model:Features:{i}"] = ScorerFeatures[i];
                }

                settings["Inference:MaxBatchSize"] = "32";
                settings["Inference:MaxBatchDelay"] = "00:00:00.005";
                break;
            case Workload.Isolation:
                // Both models from a catalog of the bench's own, with equal shares of a pool of 4: 2 threads each while busy.
                catalog = IsolationCatalog.Write();
                settings["Metadata:SimulatedLatency"] = "00:00:00.01";
                settings["Model:SimulatedCost"] = "00:00:00";
                settings["Models:Catalog"] = catalog.Folder;
                settings["Models:Default"] = IsolationCatalog.Fast;
                settings["Inference:MaxConcurrency"] = "4";
                break;
            case Workload.Rollout:
                // The fast model serves from the start, the item scorer is loaded through the admin API during the run; the
                // pool as isolation's, and announcements every 0.5 s so the workers hear the load at once.
                rolloutCatalog = RolloutCatalog.Write();
                adminKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
                settings["Metadata:SimulatedLatency"] = "00:00:00.01";
                settings["Model:SimulatedCost"] = "00:00:00";
                settings["Models:Catalog"] = rolloutCatalog.Folder;
                settings["Models:Default"] = RolloutCatalog.Fast;
                settings["Inference:MaxConcurrency"] = "4";
                settings["Admin:Enabled"] = "true";
                settings["Admin:Key"] = adminKey;
                settings["Rollouts:AnnounceInterval"] = "00:00:00.500";
                break;
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var pool = settings.TryGetValue("Inference:MaxConcurrency", out var bound)
            ? int.Parse(bound, CultureInfo.InvariantCulture)
            : Environment.ProcessorCount;
        var (requests, concurrency) = options.Workload switch
        {
            Workload.Seed => (20 * options.Workers * pool, options.Workers * pool),
            Workload.Cpu => (3000, 32),
            Workload.Overhead => (100_000, 256),
            Workload.Onnx => (10_000, 256),
            Workload.Isolation or Workload.Rollout => (2000, 8),
            _ => (10_000, 64),
        };

        var plan = new WorkloadPlan(
            options.Workload,
            options.Requests ?? requests,
            options.Concurrency ?? concurrency,
            pool,
            TimeSpan.Parse(settings.GetValueOrDefault("Metadata:SimulatedLatency", "00:00:00.5"), CultureInfo.InvariantCulture),
            TimeSpan.Parse(settings.GetValueOrDefault("Model:SimulatedCost", "00:00:01"), CultureInfo.InvariantCulture),
            settings)
        {
            Cpu = cpu,
            Workers = options.Workers,
            Catalog = catalog,
            RolloutCatalog = rolloutCatalog,
            AdminKey = adminKey,
        };
        return options.Workload == Workload.Onnx ? plan with { OnnxPerSecond = plan.ModelRate() } : plan;
    }

    /// <summary>
    /// The most predictions per second this workload allows on this machine, before any system overhead;
    /// for <c>overhead</c> it is the raw broker flow, measured separately.
    /// </summary>
    public double Limit(double? rawFlowPerSecond) => Workload switch
    {
        Workload.Cpu => Math.Min(Environment.ProcessorCount, PoolThreads) * Cpu!.Value.PerSecond,
        Workload.Onnx => Math.Min(Environment.ProcessorCount, PoolThreads) * OnnxPerSecond!.Value,
        Workload.Overhead => rawFlowPerSecond ?? double.NaN,
        _ => Math.Min(PoolThreads / InferenceCost.TotalSeconds, Concurrency / (InferenceCost + MetadataLatency).TotalSeconds),
    };

    public string LimitExplained => Workload switch
    {
        Workload.Cpu => $"{Math.Min(Environment.ProcessorCount, PoolThreads)} cores × {Cpu!.Value.PerSecond:0.0} predictions/s on one core",
        Workload.Onnx => $"{Math.Min(Environment.ProcessorCount, PoolThreads)} cores × {OnnxPerSecond!.Value:0} predictions/s on one core, "
            + $"the model alone in batches of {BatchSize}",
        Workload.Overhead => "the same message flow done raw with RabbitMQ.Client",
        _ => $"min({Pools}{PoolBound} / {InferenceCost.TotalSeconds:0.###} s, "
            + $"{Concurrency} clients / {(InferenceCost + MetadataLatency).TotalSeconds:0.###} s)",
    };

    private string Pools => Workers == 1 ? "pool " : $"{Workers} workers × pool ";

    private const string ScorerPath = "models/item-scorer/1/model.onnx";

    private static readonly string[] ScorerFeatures = ["featureValue", "category", "price", "popularity"];

    /// <summary>One core's predictions per second with the workload's model alone, in batches of <see cref="BatchSize"/>.</summary>
    private double ModelRate()
    {
        var features = Enumerable.Range(0, ScorerFeatures.Length).Select(i => Settings[$"Model:Features:{i}"]).ToList();
        using var model = OnnxModel.Load(
            new ModelOptions { Backend = ModelBackend.Onnx, Path = Settings["Model:Path"], Features = features },
            AppContext.BaseDirectory);
        var batch = Enumerable.Range(0, BatchSize)
            .Select(i => new ModelInput(
                i % 10, new Dictionary<string, double> { ["category"] = i % 12, ["price"] = 5 + i, ["popularity"] = i % 100 / 100.0 }))
            .ToList();
        model.Predict(batch); // the first run allocates what the next ones reuse
        return OneCoreRate(() => model.Predict(batch).Count, TimeSpan.FromSeconds(3));
    }

    private static double SingleThreadRate(long iterations) => OneCoreRate(
        () =>
        {
            CpuWork.Run(iterations);
            return 1;
        },
        TimeSpan.FromSeconds(2));

    // Predictions per second on this thread, on this otherwise idle machine, before anything else starts;
    // each call of run makes as many predictions as it returns.
    private static double OneCoreRate(Func<int> run, TimeSpan duration)
    {
        var done = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            done += run();
        }

        return done / clock.Elapsed.TotalSeconds;
    }
}
