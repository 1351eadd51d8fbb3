using MassTransit;
using MassTransit.Serialization;

namespace Predictions.Messaging.Outages;

/// <summary>
/// Sends a message on as it was received: the same body, content type, message id and headers, whatever format its
/// publisher used (MassTransit's envelope or plain JSON), durable, confirmed by the broker before this returns.
/// </summary>
public static class ReceivedCopy
{
    public static Task SendCopyAsync<T>(this ConsumeContext<T> context, string exchange, Action<SendHeaders> headers)
        where T : class =>
        context.SendCancellableAsync(
            new Uri($"exchange:{exchange}"),
            context.Message,
            Pipe.Execute<SendContext<T>>(send => Copy(context.ReceiveContext, send, headers)));

    /// <summary>
    /// A copy as the other overload makes, to a direct exchange by <paramref name="routingKey"/>, mandatory: when
    /// no queue is bound for the key, the broker returns it and this throws <see cref="MessageReturnedException"/>.
    /// </summary>
    public static Task SendCopyAsync<T>(
        this ConsumeContext<T> context, string directExchange, string routingKey, Action<SendHeaders>? headers = null)
        where T : class =>
        context.SendCancellableAsync(
            new Uri($"exchange:{directExchange}?type=direct"),
            context.Message,
            Pipe.Execute<SendContext<T>>(send =>
            {
                Copy(context.ReceiveContext, send, headers ?? (_ => { }));
                send.SetRoutingKey(routingKey);
                if (send.TryGetPayload(out RabbitMqSendContext? rabbit))
                {
                    rabbit.Mandatory = true;
                }
            }));

    /// <summary>The queue the message was received from: the last segment of the endpoint's address.</summary>
    public static string QueueName(this ReceiveContext received) =>
        received.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? received.InputAddress.ToString();

    private static void Copy(ReceiveContext received, SendContext send, Action<SendHeaders> headers)
    {
        send.Durable = true;
        send.MessageId = received.GetMessageId();
        foreach (var (key, value) in received.TransportHeaders.GetAll())
        {
            // The broker's counts belong to the queue it came from and to this message; a copy starts its own.
            if (key is not ("x-delivery-count" or "x-acquired-count"))
            {
                send.Headers.Set(key, value);
            }
        }

        headers(send.Headers);
        send.Serializer = new CopyBodySerializer(received.ContentType, received.Body);
    }
}
