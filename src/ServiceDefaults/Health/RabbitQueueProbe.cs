using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Predictions.ServiceDefaults.Messaging;
using RabbitMQ.Client;

namespace Predictions.ServiceDefaults.Health;

/// <summary>
/// Reads a queue's ready messages with a passive declare, on a plain connection of its own opened at the first
/// question and opened again after the broker closed it. A passive declare needs no permission on the queue.
/// One question at a time: its only caller asks in turn.
/// </summary>
public sealed class RabbitQueueProbe(IOptions<BrokerOptions> broker, ILogger<RabbitQueueProbe> logger) : IQueueProbe, IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private IConnection? _connection;

    public async Task<uint?> ReadyMessagesAsync(string queue, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }

                _connection = await broker.Value.Address.ConnectAsync(broker.Value.CertificateAuthority, "queue probe", timeout.Token, Timeout);
            }

            // A channel per question: a passive declare of a missing queue closes its channel.
            await using var channel = await _connection.CreateChannelAsync(cancellationToken: timeout.Token);
            return (await channel.QueueDeclarePassiveAsync(queue, timeout.Token)).MessageCount;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(ex, "The ready messages of {Queue} could not be read", queue);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
