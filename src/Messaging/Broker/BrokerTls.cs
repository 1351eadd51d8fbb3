using System.Security.Authentication;
using MassTransit;
using RabbitMQ.Client;

namespace Predictions.Messaging.Broker;

/// <summary>amqps for the bus and for any plain RabbitMQ.Client connection: the same server name and the same check.</summary>
public static class BrokerTls
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    public static void UseBrokerTls(this IRabbitMqHostConfigurator host, BrokerAddress address, BrokerCertificates certificates) =>
        host.UseSsl(ssl =>
        {
            ssl.Protocol = Protocols;
            ssl.ServerName = address.Hosts[0].Name;
            ssl.CertificateValidationCallback = (_, certificate, _, errors) => certificates.Validate(certificate, errors);
        });

    public static SslOption Options(BrokerAddress address, BrokerCertificates certificates) => new()
    {
        Enabled = true,
        Version = Protocols,
        ServerName = address.Hosts[0].Name,
        CertificateValidationCallback = (_, certificate, _, errors) => certificates.Validate(certificate, errors),
    };
}
