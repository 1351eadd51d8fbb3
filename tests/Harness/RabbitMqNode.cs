using System.Diagnostics;
using System.Globalization;

namespace Predictions.Harness;

/// <summary>
/// One RabbitMQ node: a private node of a local installation, with its own ports, data, plugins and Erlang cookie in
/// a folder of its own, started, killed and stopped here; or a node run elsewhere, known by address only.
/// </summary>
internal sealed class RabbitMqNode
{
    private readonly RabbitMqInstallation? _installation;
    private readonly Dictionary<string, string> _environment;
    private readonly string _folder;
    private readonly string _pidFile;
    private Process? _server;

    private RabbitMqNode(
        string name, Uri amqp, Uri management, Uri prometheus, RabbitMqInstallation? installation, Dictionary<string, string> environment,
        string folder)
    {
        Name = name;
        Amqp = amqp;
        Management = management;
        Prometheus = prometheus;
        _installation = installation;
        _environment = environment;
        _folder = folder;
        _pidFile = Path.Combine(folder, "rabbitmq.pid");
    }

    /// <summary>The Erlang node name, e.g. <c>predictions-test-1-1@localhost</c>; empty for a node run elsewhere.</summary>
    public string Name { get; }

    public Uri Amqp { get; }

    public Uri Management { get; }

    /// <summary>The Prometheus plugin's endpoint, which serves queue depths on every series (the management API's do not on 4.x).</summary>
    public Uri Prometheus { get; }

    /// <summary>The node's Erlang VM while it runs.</summary>
    public int ProcessId => int.Parse(File.ReadAllText(_pidFile).Trim(), CultureInfo.InvariantCulture);

    /// <summary>
    /// A private node in <paramref name="folder"/> (its HOME, so the CLI finds the same cookie); the nodes of a cluster
    /// share one <paramref name="cookie"/>. <paramref name="configuration"/> adds lines to its rabbitmq.conf.
    /// </summary>
    public static RabbitMqNode Create(RabbitMqSeries series, string folder, string name, string cookie, string? configuration = null)
    {
        var amqpPort = Ports.Free();
        var managementPort = Ports.Free();
        var prometheusPort = Ports.Free();
        var cookieFile = Path.Combine(folder, ".erlang.cookie");
        File.WriteAllText(cookieFile, cookie);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookieFile, UnixFileMode.UserRead);
        }

        File.WriteAllText(Path.Combine(folder, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{amqpPort}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {managementPort}
            prometheus.tcp.ip = 127.0.0.1
            prometheus.tcp.port = {prometheusPort}
            loopback_users = none
            {series.Configuration}
            {configuration}
            """);
        File.WriteAllText(Path.Combine(folder, "enabled_plugins"), "[rabbitmq_management,rabbitmq_prometheus].");
        File.WriteAllText(Path.Combine(folder, "empty"), "");
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = folder,
            ["RABBITMQ_NODENAME"] = name,
            ["RABBITMQ_NODE_PORT"] = amqpPort.ToString(CultureInfo.InvariantCulture),
            // Explicit: the default, AMQP port + 20000, is out of range for the high ports Ports.Free hands out.
            ["RABBITMQ_DIST_PORT"] = Ports.Free().ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(folder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(folder, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(folder, "rabbitmq.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(folder, "enabled_plugins"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(folder, "empty"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(folder, "rabbitmq.pid"),
        };
        return new RabbitMqNode(
            name, new Uri($"amqp://127.0.0.1:{amqpPort}/"), new Uri($"http://127.0.0.1:{managementPort}/"),
            new Uri($"http://127.0.0.1:{prometheusPort}/"), series.Installation, environment, folder);
    }

    public static RabbitMqNode External(Uri amqp) => new(
        "", new UriBuilder(amqp) { UserName = "", Password = "", Path = "/" }.Uri, new Uri($"http://{amqp.Host}:15672/"),
        new Uri($"http://{amqp.Host}:15692/"), installation: null, [], "");

    // RabbitMQ 4.0.5 at times checks whether a denied deprecated feature is in use before its metadata store has the queues
    // table, takes the error for a use and fails the boot ("no_exists rabbit_queue" in its log): seen in one start_app of eight
    // on two busy cores. Only that failure is tried again; the next attempt boots.
    private const string DenyRace = "failed_to_deny_deprecated_features";
    private const int BootAttempts = 3;

    /// <summary>Starts the node and waits until RabbitMQ runs in it; a node that does not start is killed, its log tail reported.</summary>
    public async Task StartAsync()
    {
        var installation = Local();
        for (var attempt = 1; ; attempt++)
        {
            var (file, arguments) = installation.Server([]);
            var server = Start(file, arguments, _environment);

            // Generous: three nodes booting on two busy cores have taken over a minute.
            var wait = await RunCtlAsync(["wait", _pidFile, "--timeout", "240"], TimeSpan.FromSeconds(250));
            if (wait.ExitCode == 0)
            {
                _server = server;
                return;
            }

            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
            File.Delete(_pidFile);
            var log = LogTail();
            if (attempt == BootAttempts || !log.Contains(DenyRace, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"RabbitMQ node {Name} ({installation.Description}) did not start: {wait.Output.Trim()}\n{log}");
            }
        }
    }

    public async Task CtlAsync(string[] arguments) => await QueryAsync(arguments);

    /// <summary>Runs rabbitmq-queues against this node: quorum queue members added or removed.</summary>
    public async Task QueuesAsync(string[] arguments)
    {
        var (file, all) = Local().Queues(["-n", Name, .. arguments]);
        var run = await Command.RunAsync(file, all, _environment, TimeSpan.FromSeconds(100));
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmq-queues {string.Join(' ', arguments)} failed on {Name}: {run.Output}");
        }
    }

    /// <summary>rabbitmqctl's output; a <c>start_app</c> that lost the boot race above is tried again.</summary>
    public async Task<string> QueryAsync(string[] arguments)
    {
        for (var attempt = 1; ; attempt++)
        {
            var run = await RunCtlAsync(arguments, TimeSpan.FromSeconds(100));
            if (run.ExitCode == 0)
            {
                return run.Output;
            }

            if (attempt == BootAttempts || arguments is not ["start_app", ..] || !run.Output.Contains(DenyRace, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed on {Name}: {run.Output}");
            }
        }
    }

    /// <summary>Kills the node's Erlang VM (SIGKILL): no goodbye to any client or to other nodes.</summary>
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

        await RunCtlAsync(["stop"], TimeSpan.FromSeconds(30));
        if (!server.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            server.Kill(entireProcessTree: true);
        }

        server.Dispose();
        _server = null;
    }

    private Task<(int ExitCode, string Output)> RunCtlAsync(string[] arguments, TimeSpan timeout)
    {
        var (file, all) = Local().Ctl(["-n", Name, .. arguments]);
        return Command.RunAsync(file, all, _environment, timeout);
    }

    private RabbitMqInstallation Local() =>
        _installation ?? throw new InvalidOperationException($"The node at {Amqp} runs elsewhere: only a private node can be started here.");

    // The node's own log says why it did not boot; its folder is deleted with the broker, so the reason goes in the error.
    private string LogTail()
    {
        var log = Directory.Exists(Path.Combine(_folder, "log"))
            ? Directory.GetFiles(Path.Combine(_folder, "log"), "*.log").OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        return log is null ? $"(no log in {_folder}/log)" : $"Last lines of {log}:\n{string.Join('\n', File.ReadLines(log).TakeLast(80))}";
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
}
