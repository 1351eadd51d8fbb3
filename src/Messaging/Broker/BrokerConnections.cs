using RabbitMQ.Client;

namespace Predictions.Messaging.Broker;

/// <summary>
/// Plain RabbitMQ.Client connections beside the bus, with its address and TLS check: to one host, or to the
/// first answering node of a cluster's host list. Not recovered automatically: each user opens a new one.
/// </summary>
public static class BrokerConnections
{
    public static Task<IConnection> ConnectAsync(
        this BrokerAddress address, string? certificateAuthority, string clientName, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var factory = new ConnectionFactory
        {
            UserName = address.UserName,
            Password = address.Password,
            VirtualHost = address.VirtualHost,
            ClientProvidedName = clientName,
            AutomaticRecoveryEnabled = false,
        };
        if (timeout is { } limit)
        {
            factory.RequestedConnectionTimeout = limit;
        }

        var certificates = address.Tls ? new BrokerCertificates(address, certificateAuthority) : null;
        var endpoints = address.Hosts
            .Select(host => certificates is null
                ? new AmqpTcpEndpoint(host.Name, host.Port)
                : new AmqpTcpEndpoint(host.Name, host.Port, BrokerTls.Options(address, certificates)))
            .ToList();
        return factory.CreateConnectionAsync(endpoints, cancellationToken);
    }
}
