using Predictions.Messaging.Broker;


namespace Predictions.Gateway.Publishing;

/// <summary>
/// The broker refuses this gateway's submissions altogether (<see cref="PublisherReadiness"/>): it closed the channel on the
/// declaration of the work queue or on a trial publish. Thrown before the request is published, so it was not stored.
/// </summary>
public sealed class PublisherRefusedException(BrokerRefusal refusal, DateTimeOffset since)
    : Exception($"The broker refuses this gateway's submissions: {refusal.ReplyText}")
{
    /// <summary>The broker's reply.</summary>
    public BrokerRefusal Refusal { get; } = refusal;

    /// <summary>When the broker began to refuse.</summary>
    public DateTimeOffset Since { get; } = since;
}
