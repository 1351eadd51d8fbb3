using Predictions.Messaging.Rollouts;

namespace Predictions.Messaging.Tests.Rollouts;

/// <summary>Sticky keys spread evenly over the buckets, and each lands where it did in every earlier release.</summary>
public sealed class StickyBucketsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(33.3)]
    [InlineData(90)]
    public void A_share_of_the_buckets_holds_that_share_of_the_keys(double percent)
    {
        var keys = Enumerable.Range(0, 20_000).Select(i => $"caller-{i}").ToList();

        var within = keys.Count(key => StickyBuckets.Within("canary/doubling", key, percent));

        Assert.InRange(100.0 * within / keys.Count, percent - 1, percent + 1);
    }

    [Fact]
    public void No_share_holds_no_key_and_the_whole_holds_every_key()
    {
        var keys = Enumerable.Range(0, 1_000).Select(i => $"caller-{i}").ToList();

        Assert.DoesNotContain(keys, key => StickyBuckets.Within("canary/doubling", key, 0));
        Assert.All(keys, key => Assert.True(StickyBuckets.Within("canary/doubling", key, 100)));
    }

    [Fact]
    public void The_salt_keeps_two_shares_of_the_same_keys_apart()
    {
        var keys = Enumerable.Range(0, 10_000).Select(i => $"caller-{i}").ToList();

        var both = keys.Count(key => StickyBuckets.Within("canary/doubling", key, 50) && StickyBuckets.Within("shadow/doubling", key, 50));

        Assert.InRange(100.0 * both / keys.Count, 23.5, 26.5);
    }

    // A change here moves callers between versions mid-rollout: change the hash only with every host at once.
    [Theory]
    [InlineData("canary/doubling", "caller-42", 3943)]
    [InlineData("shadow/doubling", "caller-42", 6253)]
    [InlineData("canary/doubling", "", 8515)]
    public void A_key_always_falls_in_the_same_bucket(string salt, string key, int bucket)
    {
        Assert.Equal(bucket, StickyBuckets.Of(salt, key));
        Assert.Equal(bucket, StickyBuckets.Of(salt, key));
    }
}
