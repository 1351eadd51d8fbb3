using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Predictions.Gateway.Publishing;
using Predictions.Messaging.Broker;

namespace Predictions.Gateway.Tests.Publishing;

public sealed class PublisherReadinessTests
{
    private static readonly BrokerRefusal AccessRefused = new(
        BrokerRefusal.AccessRefused,
        "ACCESS_REFUSED - access to exchange 'prediction-submissions' in vhost 'v' refused for user 'gateway'");
    private static readonly BrokerRefusal Mismatch = new(
        BrokerRefusal.PreconditionFailed,
        "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'prediction-worker' in vhost 'v': received '5' but current is '100000'");

    private readonly ManualClock _clock = new();
    private readonly FakeLogger<PublisherReadiness> _logger = new();

    [Fact]
    public void While_the_broker_refuses_requests_are_answered_at_once_and_it_is_asked_again_at_most_once_a_recheck_interval()
    {
        var readiness = new PublisherReadiness(_clock, _logger);
        readiness.ThrowIfRefusedLately();
        var since = _clock.GetUtcNow();

        readiness.Refuse(AccessRefused);
        _clock.Advance(PublisherReadiness.RecheckInterval / 2);
        var refused = Assert.Throws<PublisherRefusedException>(readiness.ThrowIfRefusedLately);

        Assert.Equal((AccessRefused, since), (refused.Refusal, refused.Since));
        _clock.Advance(PublisherReadiness.RecheckInterval / 2);
        readiness.ThrowIfRefusedLately();

        // Asked again and refused again: the same refusal, since it first came.
        Assert.Equal(since, readiness.Refuse(AccessRefused).Since);
        Assert.Throws<PublisherRefusedException>(readiness.ThrowIfRefusedLately);
    }

    [Fact]
    public void Once_the_broker_accepts_again_nothing_is_refused_and_the_end_is_logged()
    {
        var readiness = new PublisherReadiness(_clock, _logger);
        readiness.Refuse(AccessRefused);
        _clock.Advance(TimeSpan.FromSeconds(12));

        readiness.Accept();

        readiness.ThrowIfRefusedLately();
        Assert.Equal(LogLevel.Information, _logger.LatestRecord.Level);
        Assert.Contains(
            "accepts this gateway's submissions again, after refusing them for 12 s", _logger.LatestRecord.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void
        The_broker_reply_is_a_warning_when_the_refusal_starts_or_changes_and_then_once_a_warning_interval_with_the_requests_answered_meanwhile()
    {
        var readiness = new PublisherReadiness(_clock, _logger);

        readiness.Refuse(AccessRefused);
        for (var i = 0; i < 20; i++)
        {
            _clock.Advance(PublisherReadiness.WarningInterval / 100);
            Assert.Throws<PublisherRefusedException>(readiness.ThrowIfRefusedLately);
            Assert.Throws<PublisherRefusedException>(readiness.ThrowIfRefusedLately);
            _clock.Advance(PublisherReadiness.RecheckInterval);
            readiness.Refuse(AccessRefused);
        }

        Assert.Equal(1, _logger.Collector.Count);
        _clock.Advance(PublisherReadiness.WarningInterval);
        readiness.Refuse(AccessRefused);
        readiness.Refuse(Mismatch);

        var warnings = _logger.Collector.GetSnapshot();
        Assert.All(warnings, warning => Assert.Equal(LogLevel.Warning, warning.Level));
        Assert.Equal(3, warnings.Count);
        Assert.Contains(AccessRefused.ReplyText, warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("(40 requests answered 503 at once since the last warning)", warnings[1].Message, StringComparison.Ordinal);
        Assert.Contains(Mismatch.ReplyText, warnings[2].Message, StringComparison.Ordinal);
    }
}
