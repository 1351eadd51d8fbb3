using System.Runtime.Serialization;
using MassTransit;
using Predictions.Messaging.Requests;

namespace Predictions.Gateway.Status;

/// <summary>
/// First in the error pipe of <c>prediction-status-requests</c>. A request that cannot be read is the worker's
/// to reject, into its error queue with the reason; here it is expected, so it gets one information line and
/// is dropped, instead of MassTransit's R-FAULT with a stack trace, which reads like an outage. Any other fault
/// (the store failing, say) goes on to the usual handling.
/// </summary>
public sealed class UnreadableRequestFilter(ILogger<QueuedRequestConsumer> logger) : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        // Faulted means a consumer already saw the message and failed: not a question of reading it.
        if (context.IsFaulted || context.Exception is not (InvalidPredictionRequestException or SerializationException))
        {
            return next.Send(context);
        }

        QueuedRequestConsumer.LogNotTracked(logger, context.GetMessageId(), context.Exception.GetBaseException().Message);
        return Task.CompletedTask;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("unreadableRequest");
}
