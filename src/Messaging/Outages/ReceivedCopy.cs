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
        context.SendMandatoryAsync(directExchange, routingKey, context.Message, send => Copy(context.ReceiveContext, send, headers ?? (_ => { })));

    /// <summary>
    /// Sends <paramref name="message"/>, a new one, to a direct exchange by <paramref name="routingKey"/>, durable, mandatory
    /// as <see cref="SendCopyAsync{T}(ConsumeContext{T}, string, string, Action{SendHeaders})"/> sends a copy.
    /// </summary>
    public static Task SendMandatoryAsync<T>(
        this ConsumeContext context, string directExchange, string routingKey, T message, Action<SendContext<T>> prepare)
        where T : class =>
        context.SendCancellableAsync(
            new Uri($"exchange:{directExchange}?type=direct"),
            message,
            Pipe.Execute<SendContext<T>>(send =>
            {
                send.Durable = true;
                prepare(send);
                send.SetRoutingKey(routingKey);
                if (send.TryGetPayload(out RabbitMqSendContext? rabbit))
                {
                    rabbit.Mandatory = true;
                }
            }));

    /// <summary>
    /// A header of the message as received: one a plain AMQP publisher (or the gateway) set is a transport header, one
    /// MassTransit set travels in its envelope.
    /// </summary>
    public static string? Header(this ConsumeContext context, string name) =>
        context.ReceiveContext.TransportHeaders.Get<string>(name) ?? context.Headers.Get<string>(name);

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
