using Predictions.Messaging.Broker;


namespace Predictions.Gateway.Publishing;

/// <summary>
/// Whether the broker lets this gateway publish submissions. It refuses by closing the channel on the work queue's
/// declaration or on a trial publish (<see cref="BrokerRefusal"/>): a setting that differs from the queue's, or a
/// permission the gateway's broker user lacks, which trying again in a loop does not mend. While it refuses, requests
/// are answered at once and a new channel is tried at most once a <see cref="RecheckInterval"/>; the broker's reply is
/// logged at warning when the refusal starts or changes, then at most once a <see cref="WarningInterval"/>.
/// </summary>
public sealed class PublisherReadiness(TimeProvider clock, ILogger<PublisherReadiness> logger)
{
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private Refused? _refused;

    /// <summary>
    /// Throws <see cref="PublisherRefusedException"/> while the broker refuses and was last asked less than
    /// <see cref="RecheckInterval"/> ago; otherwise the caller may open a channel and so ask again.
    /// </summary>
    public void ThrowIfRefusedLately()
    {
        lock (_lock)
        {
            if (_refused is { } refused && clock.GetUtcNow() - refused.AskedAt < RecheckInterval)
            {
                _refused = refused with { Answered = refused.Answered + 1 };
                throw new PublisherRefusedException(refused.Refusal, refused.Since);
            }
        }
    }

    /// <summary>Notes that the broker refused, logs it if it is news or the last warning is old, and returns what to throw.</summary>
    public PublisherRefusedException Refuse(BrokerRefusal refusal)
    {
        bool news;
        Refused now;
        Refused? warned;
        lock (_lock)
        {
            var time = clock.GetUtcNow();
            news = _refused is null || _refused.Refusal != refusal;
            now = news ? new Refused(refusal, Since: time, AskedAt: time, WarnedAt: time, Answered: 0) : _refused! with { AskedAt = time };
            warned = news || time - now.WarnedAt >= WarningInterval ? now : null;
            _refused = warned is null ? now : now with { WarnedAt = time, Answered = 0 };
        }

        if (news)
        {
            logger.LogWarning(
                "The broker refuses this gateway's submissions, so it reports not ready "
                + "and answers 503 at once until the broker accepts them: {Reply}",
                refusal.ReplyText);
        }
        else if (warned is not null)
        {
            logger.LogWarning(
                "The broker still refuses this gateway's submissions, for {Seconds:0} s now "
                + "({Answered} requests answered 503 at once since the last warning): {Reply}",
                (warned.AskedAt - warned.Since).TotalSeconds, warned.Answered, refusal.ReplyText);
        }

        return new PublisherRefusedException(refusal, now.Since);
    }

    /// <summary>Notes that the broker took the declaration and the trial publish.</summary>
    public void Accept()
    {
        Refused? ended;
        lock (_lock)
        {
            (ended, _refused) = (_refused, null);
        }

        if (ended is not null)
        {
            logger.LogInformation(
                "The broker accepts this gateway's submissions again, after refusing them for {Seconds:0} s",
                (clock.GetUtcNow() - ended.Since).TotalSeconds);
        }
    }

    private sealed record Refused(BrokerRefusal Refusal, DateTimeOffset Since, DateTimeOffset AskedAt, DateTimeOffset WarnedAt, int Answered);
}
