namespace Predictions.Contracts;

/// <summary>
/// Asks for one prediction. Published to the <c>prediction-requests</c> exchange by any service that speaks
/// AMQP; the gateway publishes the ones submitted over HTTP to <c>prediction-submissions</c>.
/// </summary>
public record PredictionRequest
{
    /// <summary>
    /// Chosen by the publisher; every result event and audit row carries it. When it is missing, the
    /// message id (AMQP <c>message_id</c>, a UUID) is the prediction id.
    /// </summary>
    public Guid PredictionId { get; init; }

    public required long ItemId { get; init; }

    public required double FeatureValue { get; init; }

    /// <summary>When the request entered the system; the worker uses it to measure broker wait.</summary>
    public DateTimeOffset? SubmittedAt { get; init; }

    /// <summary>
    /// The latest moment inference may start. A request still waiting then is not computed: it ends as
    /// <see cref="PredictionExpired"/>. None means no deadline.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }
}
