using MassTransit;

namespace Predictions.Messaging.Outages;

/// <summary>
/// Publishes and sends that end when their cancellation token does, whatever MassTransit is waiting for.
/// Before its first message on a channel, MassTransit 8.5 declares the destination exchange once per channel
/// (<c>OneTimeContextPayload</c>). When that declare fails, because the broker went away in the middle of it,
/// every later send on the same channel queues behind a setup that never runs again, and waits for it with no
/// regard for its token. A consumer stuck so never returns, and MassTransit restarts an endpoint only once all
/// its consumers have returned: the endpoint would stop consuming for good. Waiting for the token as well
/// abandons such a send when the consume is cancelled (its channel closed) or the caller's deadline passes.
/// </summary>
public static class CancellablePublishExtensions
{
    public static Task PublishCancellableAsync<T>(this IPublishEndpoint publisher, T message, CancellationToken cancellationToken)
        where T : class =>
        publisher.Publish(message, cancellationToken).WaitAsync(cancellationToken);

    public static Task PublishCancellableAsync<T>(
        this IPublishEndpoint publisher, T message, Action<PublishContext<T>> configure, CancellationToken cancellationToken)
        where T : class =>
        publisher.Publish(message, configure, cancellationToken).WaitAsync(cancellationToken);

    public static async Task SendCancellableAsync<T>(this ConsumeContext context, Uri destination, T message, IPipe<SendContext<T>> pipe)
        where T : class
    {
        var cancellationToken = context.CancellationToken;
        var endpoint = await context.GetSendEndpoint(destination).WaitAsync(cancellationToken);
        await endpoint.Send(message, pipe, cancellationToken).WaitAsync(cancellationToken);
    }
}
