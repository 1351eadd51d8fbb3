using System.Diagnostics;

namespace Predictions.Harness;

/// <summary>
/// A private RabbitMQ node from the local <c>rabbitmq-server</c> installation: its own ports, data,
/// Erlang cookie and plugins under a temp folder, so it never clashes with a system node.
/// </summary>
public static class LocalRabbitMqNode
{
    internal const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    internal const string Ctl = "/usr/lib/rabbitmq/bin/rabbitmqctl";

    /// <summary>Nodes started by this process: each test collection may start its own.</summary>
    private static int _nodes;

    public static bool IsInstalled => File.Exists(Server) && File.Exists(Ctl);

    /// <summary>Starts a node; <paramref name="configuration"/> adds lines to its rabbitmq.conf (an ssl listener, say).</summary>
    public static async Task<RabbitMqBroker> StartAsync(string? configuration = null)
    {
        var root = Directory.CreateTempSubdirectory("predictions-rabbitmq-").FullName;
        var amqpPort = Ports.Free();
        var managementPort = Ports.Free();
        var node = $"predictions-test-{Environment.ProcessId}-{Interlocked.Increment(ref _nodes)}@localhost";
        var pidFile = Path.Combine(root, "rabbitmq.pid");

        await File.WriteAllTextAsync(Path.Combine(root, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{amqpPort}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {managementPort}
            collect_statistics_interval = 1000
            {configuration}
            """);
        await File.WriteAllTextAsync(Path.Combine(root, "enabled_plugins"), "[rabbitmq_management].");
        await File.WriteAllTextAsync(Path.Combine(root, "empty"), "");

        var environment = new Dictionary<string, string>
        {
            ["HOME"] = root,
            ["RABBITMQ_NODENAME"] = node,
            ["RABBITMQ_NODE_PORT"] = amqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(root, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(root, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(root, "rabbitmq.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(root, "enabled_plugins"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(root, "empty"),
            ["RABBITMQ_PID_FILE"] = pidFile,
        };

        var server = await StartNodeAsync(environment, pidFile, root);

        async Task Ctl(string[] arguments)
        {
            var run = await Command.RunAsync(LocalRabbitMqNode.Ctl, ["-n", node, .. arguments], environment, TimeSpan.FromSeconds(100));
            if (run.ExitCode != 0)
            {
                throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed on {node}: {run.Output}");
            }
        }

        async Task StopNodeAsync()
        {
            await Command.RunAsync(LocalRabbitMqNode.Ctl, ["-n", node, "stop"], environment, TimeSpan.FromSeconds(30));
            if (!server.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                server.Kill(entireProcessTree: true);
            }

            server.Dispose();
        }

        return new RabbitMqBroker(
            $"private local rabbitmq-server node {node} on 127.0.0.1:{amqpPort}",
            new Uri($"amqp://127.0.0.1:{amqpPort}/"),
            new Uri($"http://127.0.0.1:{managementPort}/"),
            "guest",
            "guest",
            async () =>
            {
                await StopNodeAsync();
                TryDelete(root);
            },
            int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture),
            new BrokerControl(
                Ctl,
                restartNode: async () =>
                {
                    await StopNodeAsync();
                    server = await StartNodeAsync(environment, pidFile, root);
                },
                killAndStartNode: async () =>
                {
                    server.Kill(entireProcessTree: true);
                    await server.WaitForExitAsync();
                    server.Dispose();

                    // A killed node leaves its pid file behind, naming a process that is gone.
                    File.Delete(pidFile);
                    server = await StartNodeAsync(environment, pidFile, root);
                }));
    }

    internal static async Task<Process> StartNodeAsync(Dictionary<string, string> environment, string pidFile, string root)
    {
        var server = Start(Server, [], environment);
        var wait = await Command.RunAsync(
            Ctl, ["-n", environment["RABBITMQ_NODENAME"], "wait", pidFile, "--timeout", "90"], environment, TimeSpan.FromSeconds(100));
        if (wait.ExitCode != 0)
        {
            server.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The local RabbitMQ node did not start (logs in {root}): {wait.Output}");
        }

        return server;
    }

    private static Process Start(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;

        // Drain the pipes so the node never blocks on a full one; its own logs go to RABBITMQ_LOG_BASE.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
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
