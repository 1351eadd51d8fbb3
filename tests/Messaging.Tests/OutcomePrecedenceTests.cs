using Predictions.Messaging.Outcomes;


namespace Predictions.Messaging.Tests;

/// <summary>The rule both stores apply in SQL, in the C# form their tests hold them to.</summary>
public sealed class OutcomePrecedenceTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Completed_beats_failed_beats_expired_whenever_each_finished()
    {
        var completed = new OutcomeSummary("completed", Noon.AddHours(1), null, "w");
        var failed = new OutcomeSummary("failed", Noon, "crashed", "w");
        var expired = new OutcomeSummary("expired", Noon.AddHours(-1), "deadline passed", "w");

        Assert.True(OutcomePrecedence.Supersedes(completed, failed));
        Assert.True(OutcomePrecedence.Supersedes(failed, expired));
        Assert.True(OutcomePrecedence.Supersedes(completed, expired));
        Assert.False(OutcomePrecedence.Supersedes(failed, completed));
        Assert.False(OutcomePrecedence.Supersedes(expired, failed));
        Assert.True(OutcomePrecedence.Rank("expired") > OutcomePrecedence.Rank("queued"));
    }

    [Fact]
    public void Between_two_of_a_kind_the_earlier_wins_then_the_lower_worker_name_byte_by_byte()
    {
        var early = new OutcomeSummary("completed", Noon, null, "worker-b");
        var late = early with { FinishedAt = Noon.AddTicks(1), Worker = "Worker-a" };
        var sameMomentCapital = early with { Worker = "Worker-c" };

        Assert.True(OutcomePrecedence.Supersedes(early, late));
        Assert.False(OutcomePrecedence.Supersedes(late, early));
        Assert.True(OutcomePrecedence.Supersedes(sameMomentCapital, early));
        Assert.False(OutcomePrecedence.Supersedes(early, early with { }));
        Assert.Equal(sameMomentCapital, OutcomePrecedence.Winner([late, early, sameMomentCapital]));
    }
}
