using System.Diagnostics;

namespace Predictions.Worker.Models;

/// <summary>
/// A fixed amount of real CPU work, for the simulated model's <c>Cpu</c> cost: floating-point arithmetic
/// that no compiler can skip, so its cost scales with cores, not with wall-clock time.
/// </summary>
public static class CpuWork
{
    /// <summary>Burns <paramref name="iterations"/> iterations on the calling thread and returns a value that depends on all of them.</summary>
    public static double Run(long iterations)
    {
        var x = 1.0;
        for (var i = 0L; i < iterations; i++)
        {
            x = Math.Sqrt((x * x) + i) * 0.5;
        }

        return x;
    }

    /// <summary>How many iterations take about <paramref name="target"/> on one core of this machine (best of several tries).</summary>
    public static long IterationsFor(TimeSpan target)
    {
        const long Probe = 200_000;
        Run(Probe);
        var best = TimeSpan.MaxValue;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var clock = Stopwatch.StartNew();
            Run(Probe);
            best = clock.Elapsed < best ? clock.Elapsed : best;
        }

        return Math.Max(1, (long)(Probe * (target / best)));
    }
}
