using MassTransit;
using Predictions.Contracts;

namespace Predictions.Messaging.Requests;

public static class PredictionIds
{
    /// <summary>
    /// The request's prediction id: its own <c>predictionId</c>, else the message id (AMQP
    /// <c>message_id</c>) a plain publisher correlates by; null when it has neither.
    /// </summary>
    public static Guid? PredictionId(this ConsumeContext<PredictionRequest> context) =>
        context.Message.PredictionId != Guid.Empty ? context.Message.PredictionId : context.MessageId;
}
