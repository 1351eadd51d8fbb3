using Microsoft.Extensions.Logging;
using Predictions.Messaging.Broker;

namespace Predictions.Messaging.Health;

/// <summary>
/// Reads a queue's ready messages with a passive declare (which needs no permission on the queue), on a short-lived
/// channel of the host's plain connection: the one way both hosts ask the broker how deep a queue is.
/// </summary>
public sealed class RabbitQueueProbe(PlainBrokerConnection connection, ILogger<RabbitQueueProbe> logger) : IQueueProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<uint?> ReadyMessagesAsync(string queue, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var open = await connection.OpenAsync(timeout.Token);

            // A channel per question: a passive declare of a missing queue closes its channel.
            await using var channel = await open.CreateChannelAsync(cancellationToken: timeout.Token);
            return (await channel.QueueDeclarePassiveAsync(queue, timeout.Token)).MessageCount;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(ex, "The ready messages of {Queue} could not be read", queue);
            return null;
        }
    }
}
