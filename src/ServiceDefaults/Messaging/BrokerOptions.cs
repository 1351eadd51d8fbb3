using Microsoft.Extensions.Options;

namespace Predictions.ServiceDefaults.Messaging;

/// <summary>Where the RabbitMQ broker is: <c>ConnectionStrings:RabbitMq</c>, an amqp:// URI.</summary>
public sealed class BrokerOptions
{
    public const string Setting = "ConnectionStrings:RabbitMq";

    public string? ConnectionString { get; set; }

    public Uri Uri => new(ConnectionString!);

    internal sealed class Validator : IValidateOptions<BrokerOptions>
    {
        public ValidateOptionsResult Validate(string? name, BrokerOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                return ValidateOptionsResult.Fail($"{Setting} is required: an amqp://user:password@host:port/vhost URI.");
            }

            if (!Uri.TryCreate(options.ConnectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            {
                return ValidateOptionsResult.Fail($"{Setting} must be an amqp:// or amqps:// URI such as amqp://user:password@localhost:5672/ (was '{Redact(options.ConnectionString)}').");
            }

            return ValidateOptionsResult.Success;
        }

        // The URI may carry a password; never echo it into a log.
        private static string Redact(string value)
        {
            var at = value.LastIndexOf('@');
            var scheme = value.IndexOf("://", StringComparison.Ordinal);
            return at > 0 && scheme >= 0 && at > scheme ? value[..(scheme + 3)] + "***" + value[at..] : value;
        }
    }
}
