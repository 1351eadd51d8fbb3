namespace Predictions.Gateway.Backpressure;

/// <summary>
/// How fast the workers are draining the work queue, measured from the outcomes this gateway records:
/// the mean over the last ten seconds. It prices the <c>Retry-After</c> of a 429.
/// </summary>
public sealed class DrainRate(TimeProvider clock)
{
    private const int WindowSeconds = 10;
    private readonly long[] _counts = new long[WindowSeconds];
    private readonly long[] _seconds = new long[WindowSeconds];
    private readonly Lock _lock = new();

    public void Record(int outcomes)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(now % WindowSeconds);
        lock (_lock)
        {
            if (_seconds[slot] != now)
            {
                _seconds[slot] = now;
                _counts[slot] = 0;
            }

            _counts[slot] += outcomes;
        }
    }

    public double PerSecond
    {
        get
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            long total = 0;
            lock (_lock)
            {
                for (var i = 0; i < WindowSeconds; i++)
                {
                    if (now - _seconds[i] < WindowSeconds)
                    {
                        total += _counts[i];
                    }
                }
            }

            return (double)total / WindowSeconds;
        }
    }

    /// <summary>
    /// When a client turned away from a full queue of <paramref name="queueLength"/> should come back: the
    /// time the workers need to work off a tenth of it, between 1 and 60 s (60 when nothing drains). By then
    /// there is room for many retries, and clients spread over that time instead of stampeding back at once.
    /// </summary>
    public int RetryAfterSeconds(int queueLength)
    {
        var rate = PerSecond;
        return rate <= 0 ? 60 : (int)Math.Clamp(Math.Ceiling(queueLength * 0.1 / rate), 1, 60);
    }
}
