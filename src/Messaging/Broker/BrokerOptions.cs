using Microsoft.Extensions.Options;

namespace Predictions.Messaging.Broker;

/// <summary>
/// Where the RabbitMQ broker is: <c>ConnectionStrings:RabbitMq</c>, an amqp:// or amqps:// URI naming one host or
/// the nodes of a cluster (see <see cref="BrokerAddress"/>), and how to trust its certificate over amqps.
/// </summary>
public sealed class BrokerOptions
{
    public const string Setting = "ConnectionStrings:RabbitMq";

    public const string CertificateAuthoritySetting = "RabbitMq:CertificateAuthority";

    public string? ConnectionString { get; set; }

    /// <summary>A PEM file of the private CA that signed the broker's certificate; unset, the system's trusted roots.</summary>
    public string? CertificateAuthority { get; set; }

    public BrokerAddress Address => BrokerAddress.TryParse(ConnectionString, out _)!;

    internal sealed class Validator : IValidateOptions<BrokerOptions>
    {
        public ValidateOptionsResult Validate(string? name, BrokerOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                return ValidateOptionsResult.Fail($"{Setting} is required: an amqp://user:password@host:port/vhost URI.");
            }

            if (BrokerAddress.TryParse(options.ConnectionString, out var error) is null)
            {
                return ValidateOptionsResult.Fail(
                    $"{Setting} {error}: an amqp:// or amqps:// URI such as amqp://user:password@localhost:5672/, "
                    + $"or amqp://user:password@host1:5672,host2:5672,host3:5672/vhost for a cluster (was '{Redact(options.ConnectionString)}').");
            }

            if (options.CertificateAuthority is { Length: > 0 } authority && !File.Exists(authority))
            {
                return ValidateOptionsResult.Fail($"{CertificateAuthoritySetting} names a file that does not exist: '{authority}'.");
            }

            return ValidateOptionsResult.Success;
        }

        // The URI may carry a password; never echo it into a log.
        private static string Redact(string value)
        {
            var scheme = value.IndexOf("://", StringComparison.Ordinal);
            var at = value.LastIndexOf('@');
            return at > 0 && scheme >= 0 && at > scheme ? value[..(scheme + 3)] + "***" + value[at..] : value;
        }
    }
}
