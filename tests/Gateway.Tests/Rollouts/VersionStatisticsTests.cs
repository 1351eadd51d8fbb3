using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Gateway.Rollouts;

namespace Predictions.Gateway.Tests.Rollouts;

public sealed class VersionStatisticsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly ManualClock _clock = new();

    private VersionStatistics Statistics(TimeSpan? window = null) =>
        new(_clock, Options.Create(new GuardOptions { Window = window ?? TimeSpan.FromMinutes(1) }));

    [Fact]
    public void Outcomes_older_than_the_window_no_longer_count()
    {
        var statistics = Statistics();
        statistics.Record(Failed("fraud", "2"));
        _clock.Advance(TimeSpan.FromSeconds(40));
        statistics.Record(Completed("fraud", "2", 10));
        statistics.Record(Completed("fraud", "2", 10));

        Assert.Equal(new VersionFigures(3, 1, 1d / 3, 10), statistics.Of("fraud", 2));

        // A window after the failure it is gone; the completions recorded later remain.
        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(new VersionFigures(2, 0, 0, 10), statistics.Of("fraud", 2));

        _clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(VersionFigures.None, statistics.Of("fraud", 2));
        Assert.Empty(statistics.All());
    }

    [Fact]
    public void Failed_outcomes_count_as_failures_and_expired_ones_not_at_all()
    {
        var statistics = Statistics();
        statistics.Record(Completed("fraud", "2", 5));
        statistics.Record(Failed("fraud", "2"));
        statistics.Record(Failed("fraud", "2"));
        statistics.Record(Completed("fraud", "2", 5));
        statistics.Record(Expired("fraud", "2"));

        var figures = statistics.Of("fraud", 2);

        Assert.Equal(4, figures.Outcomes);
        Assert.Equal(2, figures.Failed);
        Assert.Equal(0.5, figures.ErrorRate);
    }

    [Fact]
    public void Shadow_outcomes_count_for_their_version()
    {
        var statistics = Statistics();
        statistics.Record(Failed("fraud", "3") with { Route = "shadow", ShadowOf = Guid.NewGuid() });
        statistics.Record(Completed("fraud", "3", 7) with { Route = "shadow", ShadowOf = Guid.NewGuid() });

        Assert.Equal(new VersionFigures(2, 1, 0.5, 7), statistics.Of("fraud", 3));
    }

    [Fact]
    public void Outcomes_without_a_model_or_a_numbered_version_are_skipped()
    {
        var statistics = Statistics();
        statistics.Record(Completed("fraud", "2", 5) with { Model = null });
        statistics.Record(Completed("fraud", "v2", 5));

        Assert.Empty(statistics.All());
    }

    [Fact]
    public void P95_is_the_nearest_rank_of_the_completed_inference_times()
    {
        var statistics = Statistics();
        // 1..100 ms, shuffled: the 95th smallest of 100 is 95 ms.
        foreach (var milliseconds in Enumerable.Range(1, 100).OrderBy(value => (value * 37) % 101))
        {
            statistics.Record(Completed("fraud", "2", milliseconds));
        }

        statistics.Record(Failed("fraud", "2"));

        Assert.Equal(95, statistics.Of("fraud", 2).P95Milliseconds);
    }

    [Fact]
    public void P95_of_few_latencies_is_the_largest_and_of_none_is_null()
    {
        var statistics = Statistics();
        statistics.Record(Completed("fraud", "2", 3));
        statistics.Record(Completed("fraud", "2", 812));
        statistics.Record(Completed("fraud", "2", 4));
        statistics.Record(Failed("fraud", "3"));
        statistics.Record(Completed("fraud", "4", null));

        Assert.Equal(812, statistics.Of("fraud", 2).P95Milliseconds);
        Assert.Null(statistics.Of("fraud", 3).P95Milliseconds);
        Assert.Null(statistics.Of("fraud", 4).P95Milliseconds);
        Assert.Equal(1, statistics.Of("fraud", 4).Outcomes);
    }

    [Fact]
    public void Versions_and_models_are_kept_apart()
    {
        var statistics = Statistics();
        statistics.Record(Failed("fraud", "2"));
        statistics.Record(Completed("fraud", "3", 20));
        statistics.Record(Completed("fraud", "3", 20));
        statistics.Record(Completed("churn", "2", 30));

        Assert.Equal(new VersionFigures(1, 1, 1, null), statistics.Of("fraud", 2));
        Assert.Equal(new VersionFigures(2, 0, 0, 20), statistics.Of("fraud", 3));
        Assert.Equal(new VersionFigures(1, 0, 0, 30), statistics.Of("churn", 2));
        Assert.Equal(VersionFigures.None, statistics.Of("churn", 3));

        var all = statistics.All();
        Assert.Equal(3, all.Count);
        Assert.Equal(2, all[("fraud", 3)].Outcomes);
    }

    [Fact]
    public void A_flood_keeps_only_the_newest_samples_of_a_version()
    {
        var statistics = Statistics(TimeSpan.FromHours(1));
        for (var i = 0; i < 500; i++)
        {
            statistics.Record(Failed("fraud", "2"));
        }

        for (var i = 0; i < VersionStatistics.MaxSamplesPerVersion; i++)
        {
            statistics.Record(Completed("fraud", "2", 1));
        }

        // The 500 failures were the oldest, so the bound dropped them all.
        Assert.Equal(new VersionFigures(VersionStatistics.MaxSamplesPerVersion, 0, 0, 1), statistics.Of("fraud", 2));
    }

    [Fact]
    public async Task Outcomes_recorded_at_once_from_many_threads_are_all_counted()
    {
        var statistics = Statistics();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                statistics.Record(i % 4 == 0 ? Failed("fraud", "2") : Completed("fraud", "2", 1));
                _ = statistics.All();
            }
        })));

        Assert.Equal(new VersionFigures(4_000, 1_000, 0.25, 1), statistics.Of("fraud", 2));
    }

    private static PredictionCompleted Completed(string name, string version, double? inferenceMilliseconds) => new()
    {
        PredictionId = Guid.NewGuid(),
        ItemId = 1,
        FeatureValue = 1,
        Worker = "worker-1",
        Model = new ModelIdentity { Name = name, Version = version },
        Route = "canary",
        Timings = new PredictionTimings
        {
            ReceivedAt = Start,
            InferenceStartedAt = inferenceMilliseconds is null ? null : Start,
            InferenceCompletedAt = inferenceMilliseconds is { } milliseconds ? Start.AddMilliseconds(milliseconds) : null,
        },
        Metadata = new Dictionary<string, double>(),
        Prediction = 2,
        CompletedAt = Start,
    };

    private static PredictionFailed Failed(string name, string version) => new()
    {
        PredictionId = Guid.NewGuid(),
        ItemId = 1,
        FeatureValue = 1,
        Worker = "worker-1",
        Model = new ModelIdentity { Name = name, Version = version },
        Route = "canary",
        Timings = new PredictionTimings { ReceivedAt = Start, InferenceStartedAt = Start, InferenceCompletedAt = Start.AddSeconds(9) },
        Error = "The model failed.",
        FailedAt = Start,
    };

    private static PredictionExpired Expired(string name, string version) => new()
    {
        PredictionId = Guid.NewGuid(),
        ItemId = 1,
        FeatureValue = 1,
        Worker = "worker-1",
        Model = new ModelIdentity { Name = name, Version = version },
        Route = "canary",
        Timings = new PredictionTimings { ReceivedAt = Start },
        Deadline = Start,
        ExpiredAt = Start,
    };
}
