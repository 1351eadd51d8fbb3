using DotNet.Testcontainers.Builders;
using Testcontainers.RabbitMq;

namespace Predictions.Harness;

/// <summary>
/// Finds a real RabbitMQ broker of a series (<see cref="RabbitMqSeries"/>), in this order: the address in the series'
/// variable (<c>RABBITMQ_URL</c> for 4.x); a Testcontainers container where a Docker engine answers; a private node of
/// the series' local installation. With none of them it fails and says how to get one; it never pretends.
/// </summary>
public static class BrokerLocator
{
    /// <summary>A 4.x broker: the series the service is proved on.</summary>
    public static Task<RabbitMqBroker> FindAsync() => FindAsync(RabbitMqSeries.Four);

    public static async Task<RabbitMqBroker> FindAsync(RabbitMqSeries series) =>
        FromEnvironment(series) ?? await FromDockerAsync(series) ?? await FromLocalInstallationAsync(series)
        ?? throw new InvalidOperationException(
            $"A real {series} broker is needed and none was found. Any one of these will do:\n"
            + $"  - set {series.UrlVariable}=amqp://user:password@host:5672/ (and RABBITMQ_MANAGEMENT_URL if the management API is not on "
            + "port 15672 of that host, RABBITMQ_PROMETHEUS_URL if its Prometheus plugin is not on 15692; the user must be allowed to "
            + "create virtual hosts);\n"
            + $"  - start a Docker engine, so Testcontainers can run the image {series.Image};\n"
            + $"  - {series.Installation.Missing}, so a private node can be started.");

    private static RabbitMqBroker? FromEnvironment(RabbitMqSeries series)
    {
        var url = Environment.GetEnvironmentVariable(series.UrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var amqp = new Uri(url);
        var management = Environment.GetEnvironmentVariable("RABBITMQ_MANAGEMENT_URL") is { Length: > 0 } given
            ? new Uri(given)
            : new Uri($"http://{amqp.Host}:15672/");
        var prometheus = Environment.GetEnvironmentVariable("RABBITMQ_PROMETHEUS_URL") is { Length: > 0 } scrape
            ? new Uri(scrape)
            : new Uri($"http://{amqp.Host}:15692/");
        var credentials = amqp.UserInfo.Split(':', 2);
        var user = credentials[0] is { Length: > 0 } u ? Uri.UnescapeDataString(u) : "guest";
        var password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest";
        return new RabbitMqBroker(
            $"{series.UrlVariable} {amqp.Host}:{amqp.Port}", new UriBuilder(amqp) { UserName = "", Password = "", Path = "/" }.Uri,
            management, user, password, () => ValueTask.CompletedTask, prometheus: [prometheus]);
    }

    private static async Task<RabbitMqBroker?> FromDockerAsync(RabbitMqSeries series)
    {
        // Fixed host ports, so the services find the broker again after a fault test restarts its container. The image
        // enables the Prometheus plugin.
        var amqpPort = Ports.Free();
        var managementPort = Ports.Free();
        var prometheusPort = Ports.Free();
        RabbitMqContainer container;
        try
        {
            container = new RabbitMqBuilder(series.Image)
                .WithUsername("guest")
                .WithPassword("guest")
                .WithPortBinding(amqpPort, RabbitMqBuilder.RabbitMqPort)
                .WithPortBinding(managementPort, 15672)
                .WithPortBinding(prometheusPort, 15692)
                .WithResourceMapping(
                    System.Text.Encoding.UTF8.GetBytes(series.Configuration + "\n"),
                    "/etc/rabbitmq/conf.d/90-predictions-tests.conf")
                .Build();
            await container.StartAsync();
        }
        catch (DockerUnavailableException)
        {
            return null;
        }

        async Task<string> Exec(string[] command)
        {
            var run = await container.ExecAsync(command);
            return run.ExitCode == 0 ? run.Stdout : throw new InvalidOperationException($"{string.Join(' ', command)} failed: {run.Stderr}");
        }

        async Task StartAgainAsync()
        {
            await container.StartAsync();
            await Exec(["rabbitmqctl", "await_startup"]);
        }

        var host = container.Hostname;
        return new RabbitMqBroker(
            $"Testcontainers {series.Image}",
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
                }),
            prometheus: [new Uri($"http://{host}:{prometheusPort}/")]);
    }

    private static async Task<RabbitMqBroker?> FromLocalInstallationAsync(RabbitMqSeries series) =>
        series.Installation.Missing is null ? await LocalRabbitMqNode.StartAsync(series) : null;
}
