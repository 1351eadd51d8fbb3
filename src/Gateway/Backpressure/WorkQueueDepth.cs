using Predictions.Messaging;
using Predictions.Messaging.Broker;


namespace Predictions.Gateway.Backpressure;

/// <summary>
/// Reads the work queue's depth with a passive declare, on a short-lived channel of the host's plain connection.
/// The gateway may declare the queue, so it may also ask after it.
/// </summary>
public sealed class WorkQueueDepth(PlainBrokerConnection connection, ILogger<WorkQueueDepth> logger) : IWorkQueueDepth
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<long?> ReadAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var open = await connection.OpenAsync(timeout.Token);
            await using var channel = await open.CreateChannelAsync(cancellationToken: timeout.Token);
            return (await channel.QueueDeclarePassiveAsync(Topology.WorkQueue, timeout.Token)).MessageCount;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("The depth of {Queue} could not be read: {Reason}", Topology.WorkQueue, ex.Message);
            return null;
        }
    }
}
