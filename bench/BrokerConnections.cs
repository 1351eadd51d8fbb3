using Predictions.Messaging.Broker;
using RabbitMQ.Client;

namespace Predictions.Bench;

/// <summary>The bench's own RabbitMQ connections, to one host or to the first answering node of a cluster's host list.</summary>
public static class BrokerConnections
{
    public static Task<IConnection> ConnectAsync(this BrokerAddress address, string clientName, CancellationToken cancellationToken) =>
        address.ConnectAsync(Environment.GetEnvironmentVariable("RabbitMq__CertificateAuthority"), clientName, cancellationToken);

    /// <summary>Reads a <c>--amqp</c> value: the services' <c>ConnectionStrings:RabbitMq</c> form.</summary>
    public static BrokerAddress Parse(string value, string option) =>
        BrokerAddress.TryParse(value, out var error)
            ?? throw new ArgumentException($"{option} {error}: amqp://user:password@host:port/vhost, or host1:port,host2:port for a cluster.");
}
