namespace Predictions.Bench;

/// <summary>What the clients saw: how many predictions finished, how long each took, over what time.</summary>
public sealed class LoadResult
{
    private readonly List<double> _latenciesMs = [];
    private readonly Lock _lock = new();
    private int _completed;
    private int _failed;

    public int Completed => Volatile.Read(ref _completed);

    public int Failed => Volatile.Read(ref _failed);

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

    /// <summary>Latency percentile in milliseconds over what has finished so far.</summary>
    public double Percentile(double p)
    {
        lock (_lock)
        {
            if (_latenciesMs.Count == 0)
            {
                return double.NaN;
            }

            var sorted = _latenciesMs.Order().ToArray();
            return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        }
    }
}
