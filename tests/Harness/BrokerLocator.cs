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
        ?? throw new InvalidOperationException(
            "A real RabbitMQ broker is needed and none was found. Any one of these will do:\n"
            + "  - set RABBITMQ_URL=amqp://user:password@host:5672/ (and RABBITMQ_MANAGEMENT_URL if the management API is not on port 15672 "
            + "of that host; the user must be allowed to create virtual hosts);\n"
            + $"  - start a Docker engine, so Testcontainers can run the image {Image};\n"
            + "  - install Debian's rabbitmq-server package (sudo apt-get install rabbitmq-server), so a private node can be started; "
            + "./test.sh does this for you when run as root.");

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
            $"RABBITMQ_URL {amqp.Host}:{amqp.Port}", new UriBuilder(amqp) { UserName = "", Password = "", Path = "/" }.Uri,
            management, user, password, () => ValueTask.CompletedTask);
    }

    private static async Task<RabbitMqBroker?> FromDockerAsync()
    {
        // Fixed host ports, so the services find the broker again after a fault test restarts its container;
        // statistics every second, as on a local node, so the management API's counts lag by no more.
        var amqpPort = Ports.Free();
        var managementPort = Ports.Free();
        RabbitMqContainer container;
        try
        {
            container = new RabbitMqBuilder(Image)
                .WithUsername("guest")
                .WithPassword("guest")
                .WithPortBinding(amqpPort, RabbitMqBuilder.RabbitMqPort)
                .WithPortBinding(managementPort, 15672)
                .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-rabbit collect_statistics_interval 1000")
                .Build();
            await container.StartAsync();
        }
        catch (DockerUnavailableException)
        {
            return null;
        }

        async Task<long> Exec(string[] command)
        {
            var run = await container.ExecAsync(command);
            return run.ExitCode == 0 ? 0 : throw new InvalidOperationException($"{string.Join(' ', command)} failed: {run.Stderr}");
        }

        async Task StartAgainAsync()
        {
            await container.StartAsync();
            await Exec(["rabbitmqctl", "await_startup"]);
        }

        var host = container.Hostname;
        return new RabbitMqBroker(
            $"Testcontainers {Image}",
            new Uri($"amqp://{host}:{amqpPort}/"),
            new Uri($"http://{host}:{managementPort}/"),
            "guest",
            "guest",
            container.DisposeAsync,
            control: new BrokerControl(
                arguments => Exec(["rabbitmqctl", .. arguments]),
                // The node is the container's main process: stopping the container stops the node.
                restartNode: async () =>
                {
                    await container.StopAsync();
                    await StartAgainAsync();
                },
                // erlang:halt/0 ends the node at once, like SIGKILL, which its container's PID 1 would ignore
                // from inside: no goodbye to any client, the operating system closes the sockets.
                killAndStartNode: async () =>
                {
                    try
                    {
                        await container.ExecAsync(["rabbitmqctl", "eval", "erlang:halt()."]);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The node took rabbitmqctl's connection down with it.
                    }

                    await container.StopAsync();
                    await StartAgainAsync();
                }));
    }

    private static async Task<RabbitMqBroker?> FromLocalInstallationAsync() =>
        LocalRabbitMqNode.IsInstalled ? await LocalRabbitMqNode.StartAsync() : null;
}
