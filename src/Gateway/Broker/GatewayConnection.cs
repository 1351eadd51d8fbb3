using Microsoft.Extensions.Options;
using Predictions.ServiceDefaults.Messaging;
using RabbitMQ.Client;

namespace Predictions.Gateway.Broker;

/// <summary>
/// The gateway's one plain RabbitMQ connection beside MassTransit's, for what the bus does not do: publishing
/// submissions on a channel the gateway can replace, and reading the work queue's depth. Opened at first use and
/// opened again by the first caller that finds it closed.
/// </summary>
public sealed class GatewayConnection(IOptions<BrokerOptions> broker, ILogger<GatewayConnection> logger) : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnection? _connection;

    public async ValueTask<IConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }

                _connection = await broker.Value.Address.ConnectAsync(broker.Value.CertificateAuthority, "gateway", cancellationToken, ConnectTimeout);
                logger.LogInformation("The gateway's own connection is open to {Endpoint}", _connection.Endpoint);
            }

            return _connection;
        }
        finally
        {
            _connecting.Release();
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
