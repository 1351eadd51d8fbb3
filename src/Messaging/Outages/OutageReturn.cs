using MassTransit;
using Microsoft.Extensions.Logging;

namespace Predictions.Messaging.Outages;

/// <summary>
/// Gives a message whose outage outlasted <c>Outages:MaxWait</c> back to the tail of its queue as a new message: a
/// broker return would count toward the delivery limit, and a longer hold would meet <c>consumer_timeout</c>.
/// </summary>
public static class OutageReturn
{
    /// <summary>How many times the message went back to its queue because an outage outlasted a delivery.</summary>
    public const string ReturnsHeader = "Predictions-Outage-Returns";

    /// <exception cref="OutageReturnRefusedException">The broker did not take the copy: the delivery must go back unacknowledged.</exception>
    public static async Task ReturnToQueueAsync<T>(
        this ConsumeContext<T> context, OutageOutlastedException outage, ILogger logger)
        where T : class
    {
        var queue = context.ReceiveContext.QueueName();
        var returns = (context.ReceiveContext.TransportHeaders.Get<int>(ReturnsHeader) ?? 0) + 1;
        try
        {
            await context.SendCopyAsync(queue, headers => headers.Set(ReturnsHeader, returns));
        }
        catch (Exception ex) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw new OutageReturnRefusedException(queue, ex);
        }

        logger.LogWarning(
            "Message {MessageId} waited out an outage for as long as one delivery may "
            + "and went back to the tail of {Queue} (return {Returns}): {Reason}",
            context.MessageId, queue, returns, outage.Message);
    }

    /// <summary>Every message of a batch, as <see cref="ReturnToQueueAsync{T}(ConsumeContext{T}, OutageOutlastedException, ILogger)"/>.</summary>
    public static Task ReturnToQueueAsync<T>(
        this ConsumeContext<Batch<T>> context, OutageOutlastedException outage, ILogger logger)
        where T : class =>
        Task.WhenAll(context.Message.Select(message => message.ReturnToQueueAsync(outage, logger)));

    /// <summary>
    /// A delivery whose copy the broker refused goes back unacknowledged, never to the error queue. MassTransit puts
    /// this filter after a message type's own retries: per-message-type retries must ignore the refusal themselves.
    /// </summary>
    public static void UseOutageReturns(this IReceiveEndpointConfigurator endpoint) => endpoint.UseFilter(new RefusedReturnFilter());
}
