using MassTransit;
using Predictions.Contracts;
using Predictions.Messaging.Requests;

namespace Predictions.Gateway.Status;

/// <summary>
/// Sees every request on <c>prediction-requests</c>, so one published straight to RabbitMQ is pollable
/// as <c>queued</c> like one submitted over HTTP. The gateway publishes its own to <c>prediction-submissions</c>
/// and records them itself; one that still comes this way (a gateway of an earlier version) is skipped by its header.
/// A request published straight to RabbitMQ has no owner: any API key may read it.
/// </summary>
public sealed class QueuedRequestConsumer(PredictionStatusStore store, ILogger<QueuedRequestConsumer> logger) : IConsumer<Batch<PredictionRequest>>
{
    public async Task Consume(ConsumeContext<Batch<PredictionRequest>> context)
    {
        var direct = new List<PredictionRequest>();
        foreach (var message in context.Message.Where(m => m.Headers.Get<string>(Doors.Header) != Doors.Http))
        {
            // A request the worker will reject is not tracked: the worker's error queue has it, with the reason.
            var id = message.PredictionId();
            if (InvalidPredictionRequestException.ReasonAgainst(message.Message, id) is not { } reason)
            {
                direct.Add(message.Message with { PredictionId = id!.Value });
            }
            else
            {
                // A hand-made envelope may lack its own message id; the AMQP one is what the error queue shows.
                LogNotTracked(logger, message.MessageId ?? message.ReceiveContext.GetMessageId(), reason);
            }
        }

        if (direct.Count > 0)
        {
            await store.AddQueuedAsync(direct, owner: null, context.CancellationToken);
        }
    }

    /// <summary>All a bad request gets here: it is expected, and the worker reports it.</summary>
    internal static void LogNotTracked(ILogger logger, Guid? messageId, string reason) =>
        logger.LogInformation("Request {MessageId} is not tracked: {Reason} The worker rejects it into its error queue.", messageId, reason);
}
