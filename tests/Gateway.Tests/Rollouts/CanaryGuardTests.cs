using Predictions.Gateway.Rollouts;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Tests.Rollouts;

public sealed class CanaryGuardTests
{
    private static readonly GuardOptions Defaults = new() { MinOutcomes = 20, MaxErrorRate = 0.2 };
    private static readonly TrafficSplit Canary = new() { Version = 3, Percent = 10 };

    [Fact]
    public void A_canary_within_its_limits_is_fine()
    {
        Assert.Null(CanaryGuard.Verdict(Canary, new VersionFigures(40, 8, 0.2, 900), Defaults));
    }

    [Fact]
    public void Too_few_outcomes_in_the_window_prove_nothing()
    {
        Assert.Null(CanaryGuard.Verdict(Canary, new VersionFigures(19, 19, 1, null), Defaults));
    }

    [Fact]
    public void An_error_rate_over_the_default_limit_stops_the_canary()
    {
        var verdict = CanaryGuard.Verdict(Canary, new VersionFigures(40, 14, 0.35, 12), Defaults);

        Assert.Equal("error rate 0.35 over 40 outcomes in the last 00:01:00 exceeds 0.2", verdict);
    }

    [Fact]
    public void A_p95_over_the_latency_limit_stops_the_canary()
    {
        var options = new GuardOptions { MaxP95Milliseconds = 500 };

        var verdict = CanaryGuard.Verdict(Canary, new VersionFigures(40, 0, 0, 812), options);

        Assert.Equal("p95 inference 812 ms over 40 outcomes in the last 00:01:00 exceeds 500 ms", verdict);
    }

    [Fact]
    public void Without_a_latency_limit_a_slow_canary_is_fine()
    {
        Assert.Null(CanaryGuard.Verdict(Canary, new VersionFigures(40, 0, 0, 60_000), Defaults));
    }

    [Fact]
    public void Both_limits_exceeded_are_both_named()
    {
        var canary = Canary with { MaxP95Milliseconds = 100 };

        var verdict = CanaryGuard.Verdict(canary, new VersionFigures(50, 25, 0.5, 150.25), Defaults);

        Assert.Equal("error rate 0.5 over 50 outcomes in the last 00:01:00 exceeds 0.2; "
            + "p95 inference 150.3 ms over 50 outcomes in the last 00:01:00 exceeds 100 ms", verdict);
    }

    [Fact]
    public void The_canarys_own_limits_beat_the_defaults()
    {
        var figures = new VersionFigures(40, 12, 0.3, 400);
        var lenient = Canary with { MaxErrorRate = 0.5 };
        var strict = Canary with { MaxErrorRate = 0.1, MaxP95Milliseconds = 300 };
        var options = new GuardOptions { MaxErrorRate = 0.2, MaxP95Milliseconds = 1_000 };

        Assert.Null(CanaryGuard.Verdict(lenient, figures, options));
        Assert.Equal("error rate 0.3 over 40 outcomes in the last 00:01:00 exceeds 0.1; "
            + "p95 inference 400 ms over 40 outcomes in the last 00:01:00 exceeds 300 ms", CanaryGuard.Verdict(strict, figures, options));
    }

    [Fact]
    public void The_window_named_is_the_settings()
    {
        var options = new GuardOptions { Window = TimeSpan.FromMinutes(5) };

        var verdict = CanaryGuard.Verdict(Canary, new VersionFigures(40, 40, 1, null), options);

        Assert.Equal("error rate 1 over 40 outcomes in the last 00:05:00 exceeds 0.2", verdict);
    }

    [Fact]
    public void A_canary_taking_no_traffic_or_stopped_already_is_not_judged()
    {
        var failing = new VersionFigures(40, 40, 1, null);
        var stopped = Canary with { StoppedReason = "error rate 1 over 40 outcomes", StoppedAt = DateTimeOffset.UnixEpoch };

        Assert.Null(CanaryGuard.Verdict(Canary with { Percent = 0 }, failing, Defaults));
        Assert.Null(CanaryGuard.Verdict(stopped, failing, Defaults));
    }
}
