using System.Security.Authentication;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Predictions.Messaging.Broker;

/// <summary>
/// Connects once at start-up with the bus's settings: MassTransit retries an untrusted certificate silently for
/// ever, so that stops the start naming the settings; a broker that is merely down stays a retry.
/// </summary>
public sealed class BrokerConnectionCheck(IOptions<BrokerOptions> options, ILogger<BrokerConnectionCheck> logger) : IHostedService
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = options.Value.Address;
        if (!address.Tls)
        {
            return;
        }

        try
        {
            await using var connection = await address.ConnectAsync(
                options.Value.CertificateAuthority, "start-up check", cancellationToken, ConnectTimeout);
            await connection.CloseAsync(cancellationToken);
        }
        catch (Exception ex) when (Find<AuthenticationException>(ex) is { } refused)
        {
            throw new InvalidOperationException(
                $"The broker's TLS certificate was not trusted ({refused.Message}) at {address}: check that {BrokerOptions.Setting} "
                + $"names the hosts the certificate was issued to and that {BrokerOptions.CertificateAuthoritySetting} is the CA that signed it.",
                ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("The broker at {Broker} did not answer at start-up ({Reason}); the bus keeps trying to connect.", address, ex.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }

            if (ex is AggregateException aggregate && aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(e => e is not null) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
