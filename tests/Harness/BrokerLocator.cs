using DotNet.Testcontainers.Builders;
using Testcontainers.RabbitMq;

namespace Predictions.Harness;

/// <summary>
/// Finds a real RabbitMQ broker, in this order: the address in <c>RABBITMQ_URL</c>; a Testcontainers
/// container where a Docker engine answers; a private node of a locally installed <c>rabbitmq-server</c>.
/// With none of them it fails and says how to get one; it never pretends.
/// </summary>
public static class BrokerLocator
{
    /// <summary>The image docker-compose.yml ships; MassTransit 8 runs on it.</summary>
    public const string Image = "rabbitmq:3.13.7-management";

    public static async Task<RabbitMqBroker> FindAsync() =>
        FromEnvironment() ?? await FromDockerAsync() ?? await FromLocalInstallationAsync()
        ?? throw new InvalidOperationException($"""
            A real RabbitMQ broker is needed and none was found. Any one of these will do:
              - set RABBITMQ_URL=amqp://user:password@host:5672/ (and RABBITMQ_MANAGEMENT_URL if the management API is not on port 15672 of that host; the user must be allowed to create virtual hosts);
              - start a Docker engine, so Testcontainers can run the image {Image};
              - install Debian's rabbitmq-server package (sudo apt-get install rabbitmq-server), so a private node can be started; ./test.sh does this for you when run as root.
            """);

    private static RabbitMqBroker? FromEnvironment()
    {
        var url = Environment.GetEnvironmentVariable("RABBITMQ_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var amqp = new Uri(url);
        var management = Environment.GetEnvironmentVariable("RABBITMQ_MANAGEMENT_URL") is { Length: > 0 } given
            ? new Uri(given)
            : new Uri($"http://{amqp.Host}:15672/");
        var credentials = amqp.UserInfo.Split(':', 2);
        var user = credentials[0] is { Length: > 0 } u ? Uri.UnescapeDataString(u) : "guest";
        var password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest";
        return new RabbitMqBroker(
            $"RABBITMQ_URL {amqp.Host}:{amqp.Port}", new UriBuilder(amqp) { UserName = "", Password = "", Path = "/" }.Uri, management, user, password, () => ValueTask.CompletedTask);
    }

    private static async Task<RabbitMqBroker?> FromDockerAsync()
    {
        RabbitMqContainer container;
        try
        {
            container = new RabbitMqBuilder(Image).WithUsername("guest").WithPassword("guest").WithPortBinding(15672, true).Build();
            await container.StartAsync();
        }
        catch (DockerUnavailableException)
        {
            return null;
        }

        var host = container.Hostname;
        return new RabbitMqBroker(
            $"Testcontainers {Image}",
            new Uri($"amqp://{host}:{container.GetMappedPublicPort(5672)}/"),
            new Uri($"http://{host}:{container.GetMappedPublicPort(15672)}/"),
            "guest",
            "guest",
            container.DisposeAsync,
            control: new BrokerControl(
                async arguments =>
                {
                    var run = await container.ExecAsync(["rabbitmqctl", .. arguments]);
                    if (run.ExitCode != 0)
                    {
                        throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed: {run.Stderr}");
                    }
                },
                restartNode: null));
    }

    private static async Task<RabbitMqBroker?> FromLocalInstallationAsync() =>
        LocalRabbitMqNode.IsInstalled ? await LocalRabbitMqNode.StartAsync() : null;
}
