using Predictions.ServiceDefaults.Messaging;
using RabbitMQ.Client;

namespace Predictions.Bench;

/// <summary>The bench's own RabbitMQ connections, to one host or to the first answering node of a cluster's host list.</summary>
public static class BrokerConnections
{
    public static Task<IConnection> ConnectAsync(this BrokerAddress address, string clientName, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            UserName = address.UserName,
            Password = address.Password,
            VirtualHost = address.VirtualHost,
            ClientProvidedName = clientName,
        };
        var endpoints = address.Hosts
            .Select(host => address.Tls
                ? new AmqpTcpEndpoint(host.Name, host.Port, BrokerTls.Options(address, new BrokerCertificates(address, Environment.GetEnvironmentVariable("RabbitMq__CertificateAuthority"))))
                : new AmqpTcpEndpoint(host.Name, host.Port))
            .ToList();
        return factory.CreateConnectionAsync(endpoints, cancellationToken);
    }

    /// <summary>Reads a <c>--amqp</c> value: the services' <c>ConnectionStrings:RabbitMq</c> form.</summary>
    public static BrokerAddress Parse(string value, string option) =>
        BrokerAddress.TryParse(value, out var error) ?? throw new ArgumentException($"{option} {error}: amqp://user:password@host:port/vhost, or host1:port,host2:port for a cluster.");
}
