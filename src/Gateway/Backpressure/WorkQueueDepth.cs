using Microsoft.Extensions.Options;
using Predictions.ServiceDefaults.Messaging;
using RabbitMQ.Client;

namespace Predictions.Gateway.Backpressure;

/// <summary>
/// Reads the work queue's depth with a passive declare, on a connection of its own opened at the first refusal
/// and kept while it stays open. The gateway may declare the queue, so it may also ask after it.
/// </summary>
public sealed class WorkQueueDepth(IOptions<BrokerOptions> broker, ILogger<WorkQueueDepth> logger) : IWorkQueueDepth, IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnection? _connection;

    public async Task<long?> ReadAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var connection = await ConnectAsync(timeout.Token);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: timeout.Token);
            return (await channel.QueueDeclarePassiveAsync(Topology.WorkQueue, timeout.Token)).MessageCount;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("The depth of {Queue} could not be read: {Reason}", Topology.WorkQueue, ex.Message);
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

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }

                _connection = await broker.Value.Address.ConnectAsync(broker.Value.CertificateAuthority, "gateway: work queue depth", cancellationToken, Timeout);
            }

            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }
}
