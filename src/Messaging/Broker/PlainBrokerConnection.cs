using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Predictions.Messaging.Broker;

/// <summary>
/// The host's one plain RabbitMQ connection beside MassTransit's, for what the bus does not do (replaceable publish
/// channels, queue probes); opened at first use and again by the first caller that finds it closed.
/// </summary>
public sealed class PlainBrokerConnection(IOptions<BrokerOptions> broker, ILogger<PlainBrokerConnection> logger) : IAsyncDisposable
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

                _connection = await broker.Value.Address.ConnectAsync(
                    broker.Value.CertificateAuthority, $"{AppDomain.CurrentDomain.FriendlyName}: plain", cancellationToken, ConnectTimeout);
                logger.LogInformation("The host's plain connection is open to {Endpoint}", _connection.Endpoint);
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

public static class PlainBrokerConnectionExtensions
{
    /// <summary>The host's plain connection (<see cref="PlainBrokerConnection"/>), registered once for all its users.</summary>
    public static IServiceCollection AddPlainBrokerConnection(this IServiceCollection services)
    {
        services.TryAddSingleton<PlainBrokerConnection>();
        return services;
    }
}
