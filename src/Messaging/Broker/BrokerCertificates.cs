using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Predictions.Messaging.Broker;

/// <summary>
/// How a service checks the broker's certificate over amqps: signed by the CA in <c>RabbitMq:CertificateAuthority</c>
/// (or, unset, by a root the system trusts) and issued to one of the hosts in <c>ConnectionStrings:RabbitMq</c>.
/// MassTransit on its own accepts any chain, so this check replaces its default.
/// </summary>
public sealed class BrokerCertificates(BrokerAddress address, string? certificateAuthority)
{
    private readonly X509Certificate2Collection _authority = certificateAuthority is { Length: > 0 } path
        ? LoadAuthority(path)
        : [];

    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());

        // Every node of a cluster is reached with the first host's settings: its certificate may name any listed host.
        if (!address.Hosts.Any(host => server.MatchesHostname(host.Name.Trim('[', ']'))))
        {
            return false;
        }

        if (_authority.Count == 0)
        {
            return !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors);
        }

        using var privateChain = new X509Chain();
        privateChain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        privateChain.ChainPolicy.CustomTrustStore.AddRange(_authority);
        privateChain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return privateChain.Build(server);
    }

    private static X509Certificate2Collection LoadAuthority(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection.Count > 0
            ? collection
            : throw new InvalidOperationException($"{BrokerOptions.CertificateAuthoritySetting} names '{path}', which holds no PEM certificate.");
    }
}
