using Predictions.Gateway.Backpressure;

namespace Predictions.Gateway.Tests.Backpressure;

public sealed class DrainRateTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void Retry_after_is_the_time_to_drain_a_tenth_of_the_queue_at_the_measured_rate()
    {
        var drain = new DrainRate(_clock);
        for (var second = 0; second < 10; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            drain.Record(20);
        }

        // 200 outcomes in the last 10 s: 20/s; a tenth of 1,000 queued takes 5 s.
        Assert.Equal(5, drain.RetryAfterSeconds(1_000));
        Assert.Equal(1, drain.RetryAfterSeconds(10));
        Assert.Equal(60, drain.RetryAfterSeconds(1_000_000));
    }

    [Fact]
    public void With_nothing_draining_clients_are_told_to_wait_the_longest()
    {
        var drain = new DrainRate(_clock);
        drain.Record(500);
        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(0, drain.PerSecond);
        Assert.Equal(60, drain.RetryAfterSeconds(100));
    }
}
