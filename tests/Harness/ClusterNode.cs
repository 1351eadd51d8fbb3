using System.Diagnostics;
using System.Globalization;

namespace Predictions.Harness;

/// <summary>
/// One node of <see cref="LocalRabbitMqCluster"/>: a private node whose HOME holds the cluster's Erlang cookie,
/// started, killed and stopped on its own ports and data; or a node of a cluster run elsewhere, known by address only.
/// </summary>
internal sealed class ClusterNode
{
    private readonly Dictionary<string, string> _environment;
    private readonly string _pidFile;
    private readonly string _home;
    private Process? _server;

    private ClusterNode(string name, Uri amqp, Uri management, Dictionary<string, string> environment, string home)
    {
        Name = name;
        Amqp = amqp;
        Management = management;
        _environment = environment;
        _home = home;
        _pidFile = Path.Combine(home, "rabbitmq.pid");
    }

    public string Name { get; }

    public Uri Amqp { get; }

    public Uri Management { get; }

    public static ClusterNode Create(string root, string cookie, int index)
    {
        var home = Directory.CreateDirectory(Path.Combine(root, ((char)('a' + index)).ToString())).FullName;
        var amqpPort = Ports.Free();
        var managementPort = Ports.Free();
        var name = $"predictions-cluster-{Environment.ProcessId}-{(char)('a' + index)}@localhost";
        var cookieFile = Path.Combine(home, ".erlang.cookie");
        File.WriteAllText(cookieFile, cookie);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookieFile, UnixFileMode.UserRead);
        }
        File.WriteAllText(Path.Combine(home, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{amqpPort}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {managementPort}
            collect_statistics_interval = 1000
            """);
        File.WriteAllText(Path.Combine(home, "enabled_plugins"), "[rabbitmq_management].");
        File.WriteAllText(Path.Combine(home, "empty"), "");
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["RABBITMQ_NODENAME"] = name,
            ["RABBITMQ_NODE_PORT"] = amqpPort.ToString(CultureInfo.InvariantCulture),
            // Explicit: the default, AMQP port + 20000, is out of range for the high ports Ports.Free hands out.
            ["RABBITMQ_DIST_PORT"] = Ports.Free().ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(home, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(home, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(home, "rabbitmq.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(home, "enabled_plugins"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(home, "empty"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(home, "rabbitmq.pid"),
        };
        return new ClusterNode(name, new Uri($"amqp://127.0.0.1:{amqpPort}/"), new Uri($"http://127.0.0.1:{managementPort}/"), environment, home);
    }

    public static ClusterNode External(Uri amqp) =>
        new("", new UriBuilder(amqp) { UserName = "", Password = "", Path = "/" }.Uri, new Uri($"http://{amqp.Host}:15672/"), [], "");

    public async Task StartAsync() => _server = await LocalRabbitMqNode.StartNodeAsync(_environment, _pidFile, _home);

    public async Task CtlAsync(string[] arguments)
    {
        var run = await Command.RunAsync(LocalRabbitMqNode.Ctl, ["-n", Name, .. arguments], _environment, TimeSpan.FromSeconds(100));
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed on {Name}: {run.Output}");
        }
    }

    public async Task KillAsync()
    {
        if (_server is not { HasExited: false } server)
        {
            throw new InvalidOperationException($"{Name} is not running.");
        }

        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();
        server.Dispose();
        _server = null;

        // A killed node leaves its pid file behind, naming a process that is gone.
        File.Delete(_pidFile);
    }

    public async Task StopAsync()
    {
        if (_server is not { } server)
        {
            return;
        }

        await Command.RunAsync(LocalRabbitMqNode.Ctl, ["-n", Name, "stop"], _environment, TimeSpan.FromSeconds(30));
        if (!server.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            server.Kill(entireProcessTree: true);
        }

        server.Dispose();
        _server = null;
    }
}
