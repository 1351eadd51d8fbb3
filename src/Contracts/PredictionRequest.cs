using System.ComponentModel;

namespace Predictions.Contracts;

/// <summary>
/// Asks for one prediction. Published to the <c>prediction-requests</c> exchange by any service that speaks
/// AMQP; the gateway publishes the ones submitted over HTTP to <c>prediction-submissions</c>. It is also the body of
/// <c>POST /predictions</c>: each field's description is the API's, and <c>required</c> is what the API requires.
/// </summary>
public record PredictionRequest
{
    [Description("Chosen by the publisher; every outcome and audit row carries it. When it is missing, the message id "
        + "(AMQP message_id, a UUID) is the prediction id. Over HTTP the gateway chooses it.")]
    public Guid PredictionId { get; init; }

    [Description("The item to predict for; the worker fetches its metadata.")]
    public required long ItemId { get; init; }

    [Description("The model's input feature, a finite number.")]
    public required double FeatureValue { get; init; }

    [Description("The model to compute it: a name (its latest version in the catalog) or name:version, e.g. item-scorer or "
        + "item-scorer:1. None means the service's default model.")]
    public string? Model { get; init; }

    [Description("When the request entered the system; the worker measures broker wait from it. Over HTTP the gateway sets it.")]
    public DateTimeOffset? SubmittedAt { get; init; }

    [Description("The latest moment inference may start (ISO 8601 with offset); a request still waiting then is not computed "
        + "and ends as expired. None means no deadline.")]
    public DateTimeOffset? Deadline { get; init; }
}
