namespace Predictions.Harness;

/// <summary>
/// A private RabbitMQ node from a local installation of a series (see <see cref="RabbitMqInstallation"/>): its own
/// ports, data, Erlang cookie and plugins under a temp folder, so it never clashes with a system node.
/// </summary>
public static class LocalRabbitMqNode
{
    /// <summary>Nodes started by this process: each test collection may start its own.</summary>
    private static int _nodes;

    /// <summary>Starts a node; <paramref name="configuration"/> adds lines to its rabbitmq.conf (an ssl listener, say).</summary>
    public static async Task<RabbitMqBroker> StartAsync(RabbitMqSeries series, string? configuration = null)
    {
        if (series.Installation.Missing is { } missing)
        {
            throw new InvalidOperationException($"A private {series} node cannot be started: {missing}.");
        }

        var folder = series.Installation.CreateNodeFolder("predictions-rabbitmq-");
        var name = $"predictions-test-{Environment.ProcessId}-{Interlocked.Increment(ref _nodes)}@localhost";
        var node = RabbitMqNode.Create(series, folder, name, Guid.NewGuid().ToString("N"), configuration);
        try
        {
            await node.StartAsync();
        }
        catch
        {
            TryDelete(folder);
            throw;
        }

        return new RabbitMqBroker(
            $"private {series} node {name} ({series.Installation.Description}) on {node.Amqp.Authority}",
            node.Amqp,
            node.Management,
            "guest",
            "guest",
            async () =>
            {
                await node.StopAsync();
                TryDelete(folder);
            },
            node.ProcessId,
            new BrokerControl(
                node.QueryAsync,
                restartNode: async () =>
                {
                    await node.StopAsync();
                    await node.StartAsync();
                },
                killAndStartNode: async () =>
                {
                    await node.KillAsync();
                    await node.StartAsync();
                }),
            prometheus: [node.Prometheus]);
    }

    internal static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
