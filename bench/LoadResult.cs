namespace Predictions.Bench;

/// <summary>What the clients saw: how many predictions finished, how long each took, over what time.</summary>
public sealed class LoadResult
{
    private readonly List<double> _latenciesMs = [];
    private readonly List<double> _outcomeDelaysMs = [];
    private readonly Lock _lock = new();
    private int _completed;
    private int _failed;
    private int _polls;

    public int Completed => Volatile.Read(ref _completed);

    public int Failed => Volatile.Read(ref _failed);

    /// <summary>GETs the clients sent after submitting, to learn how their predictions ended.</summary>
    public int Polls => Volatile.Read(ref _polls);

    /// <summary>Predictions whose end the clients saw: each has a latency.</summary>
    public int Finished
    {
        get
        {
            lock (_lock)
            {
                return _latenciesMs.Count;
            }
        }
    }

    public TimeSpan Elapsed { get; set; }

    public void Record(bool completed, TimeSpan latency)
    {
        Interlocked.Increment(ref completed ? ref _completed : ref _failed);
        lock (_lock)
        {
            _latenciesMs.Add(latency.TotalMilliseconds);
        }
    }

    public void RecordLost() => Interlocked.Increment(ref _failed);

    public void RecordPoll() => Interlocked.Increment(ref _polls);

    /// <summary>How long after the worker finished a prediction its client had the outcome in hand.</summary>
    public void RecordOutcomeDelay(TimeSpan delay)
    {
        lock (_lock)
        {
            _outcomeDelaysMs.Add(delay.TotalMilliseconds);
        }
    }

    /// <summary>Latency percentile in milliseconds over what has finished so far.</summary>
    public double Percentile(double p) => Percentile(_latenciesMs, p);

    /// <summary>p50, p95, p99 and the maximum, in milliseconds to a tenth; 0 for none.</summary>
    public Report.Latency Latency() => Summary(_latenciesMs);

    /// <summary>The outcome delays as <see cref="Latency"/> gives latencies; null when no door recorded one.</summary>
    public Report.Latency? OutcomeDelay() => double.IsNaN(Percentile(_outcomeDelaysMs, 50)) ? null : Summary(_outcomeDelaysMs);

    /// <summary>This run's percentile over <paramref name="baseline"/>'s, to two places; null when either has none.</summary>
    public double? RatioTo(LoadResult baseline, double percentile) =>
        baseline.Percentile(percentile) is > 0 and var before && !double.IsNaN(Percentile(percentile))
            ? Math.Round(Percentile(percentile) / before, 2)
            : null;

    private Report.Latency Summary(List<double> values)
    {
        var sorted = Sorted(values);
        return new(Rounded(At(sorted, 50)), Rounded(At(sorted, 95)), Rounded(At(sorted, 99)), Rounded(At(sorted, 100)));
    }

    private static double Rounded(double value) => double.IsNaN(value) ? 0 : Math.Round(value, 1);

    private double Percentile(List<double> values, double p) => At(Sorted(values), p);

    private double[] Sorted(List<double> values)
    {
        lock (_lock)
        {
            return values.Order().ToArray();
        }
    }

    private static double At(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
