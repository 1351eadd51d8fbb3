using Predictions.Messaging;
using Predictions.Messaging.Broker;
using RabbitMQ.Client;

namespace Predictions.Gateway.Publishing;

/// <summary>
/// A new confirm channel to publish submissions on, handed out only once the broker took what publishing there needs:
/// the request topology's declaration (<see cref="Topology.DeclareRequestTopologyAsync"/>) and a trial publish to
/// <see cref="Topology.Submissions"/>. A refusal of either throws, carrying the broker's reply (<see cref="BrokerRefusal"/>).
/// </summary>
internal static class SubmissionChannel
{
    public static async Task<IChannel> OpenAsync(IConnection connection, WorkQueueOptions workQueue, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        try
        {
            await channel.DeclareRequestTopologyAsync(workQueue, cancellationToken);
            await TryPublishAsync(connection, cancellationToken);
            return channel;
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Publishes an empty message to <see cref="Topology.Submissions"/> in a transaction rolled back: the broker checks
    /// the user's write permission on the exchange, and that it exists, as for a request, yet routes nothing. On
    /// RabbitMQ 3.10 a channel keeps the permissions it once checked, so only a new channel sees one taken away.
    /// </summary>
    private static async Task TryPublishAsync(IConnection connection, CancellationToken cancellationToken)
    {
        await using var trial = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await trial.TxSelectAsync(cancellationToken);
        await trial.BasicPublishAsync(
            Topology.Submissions, string.Empty, mandatory: false, new BasicProperties(), ReadOnlyMemory<byte>.Empty, cancellationToken);
        await trial.TxRollbackAsync(cancellationToken);
    }
}
