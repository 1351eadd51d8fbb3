using System.Diagnostics;
using System.Globalization;
using Predictions.Worker.Inference;

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
    /// <summary>For <c>cpu</c>: iterations of <see cref="CpuWork"/> per prediction and how many one core does per second.</summary>
    public (long Iterations, double PerSecond)? Cpu { get; init; }

    public static WorkloadPlan For(BenchOptions options)
    {
        var settings = new Dictionary<string, string>();
        (long, double)? cpu = null;
        switch (options.Workload)
        {
            case Workload.Seed or Workload.Backlog:
                settings["Metadata:SimulatedLatency"] = "00:00:00.5";
                settings["Inference:SimulatedCost"] = "00:00:01";
                break;
            case Workload.Cpu:
                var iterations = CpuWork.IterationsFor(TimeSpan.FromMilliseconds(20));
                cpu = (iterations, SingleThreadRate(iterations));
                settings["Metadata:SimulatedLatency"] = "00:00:00.05";
                settings["Inference:SimulatedCostKind"] = "Cpu";
                settings["Inference:SimulatedCpuIterations"] = iterations.ToString(CultureInfo.InvariantCulture);
                break;
            case Workload.Overhead:
                settings["Metadata:SimulatedLatency"] = "00:00:00";
                settings["Inference:SimulatedCost"] = "00:00:00";
                break;
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var pool = settings.TryGetValue("Inference:MaxConcurrency", out var bound) ? int.Parse(bound, CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        var (requests, concurrency) = options.Workload switch
        {
            Workload.Seed => (20 * pool, pool),
            Workload.Cpu => (3000, 32),
            Workload.Overhead => (100_000, 256),
            _ => (10_000, 64),
        };

        return new WorkloadPlan(
            options.Workload,
            options.Requests ?? requests,
            options.Concurrency ?? concurrency,
            pool,
            TimeSpan.Parse(settings.GetValueOrDefault("Metadata:SimulatedLatency", "00:00:00.5"), CultureInfo.InvariantCulture),
            TimeSpan.Parse(settings.GetValueOrDefault("Inference:SimulatedCost", "00:00:01"), CultureInfo.InvariantCulture),
            settings)
        { Cpu = cpu };
    }

    /// <summary>
    /// The most predictions per second this workload allows on this machine, before any system overhead;
    /// for <c>overhead</c> it is the raw broker flow, measured separately.
    /// </summary>
    public double Limit(double? rawFlowPerSecond) => Workload switch
    {
        Workload.Cpu => Environment.ProcessorCount * Cpu!.Value.PerSecond,
        Workload.Overhead => rawFlowPerSecond ?? double.NaN,
        _ => Math.Min(PoolBound / InferenceCost.TotalSeconds, Concurrency / (InferenceCost + MetadataLatency).TotalSeconds),
    };

    public string LimitExplained => Workload switch
    {
        Workload.Cpu => $"{Environment.ProcessorCount} cores × {Cpu!.Value.PerSecond:0.0} predictions/s on one core",
        Workload.Overhead => "the same message flow done raw with RabbitMQ.Client",
        _ => $"min(pool {PoolBound} / {InferenceCost.TotalSeconds:0.###} s, {Concurrency} clients / {(InferenceCost + MetadataLatency).TotalSeconds:0.###} s)",
    };

    // One core's rate for this much work, on this otherwise idle machine, before anything else starts.
    private static double SingleThreadRate(long iterations)
    {
        var done = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            CpuWork.Run(iterations);
            done++;
        }

        return done / clock.Elapsed.TotalSeconds;
    }
}
