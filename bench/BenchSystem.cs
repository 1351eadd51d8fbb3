using System.Net;
using Predictions.Harness;
using Predictions.Messaging.Broker;

namespace Predictions.Bench;

/// <summary>
/// The system the bench drives: started here like the README's run command (a broker found or started,
/// the workers and gateways as processes, configured by environment), or one already running at given addresses.
/// </summary>
public sealed class BenchSystem : IAsyncDisposable
{
    private readonly RabbitMqBroker? _broker;
    private readonly BrokerVirtualHost? _vhost;
    // Several processes start and JIT at once on few cores: give them longer than one alone needs.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly List<(string Name, ServiceProcess Process)> _services = [];
    private readonly string? _dataFolder;
    private PostgresTestDatabase? _database;
    private IReadOnlyDictionary<string, string> _tracing = new Dictionary<string, string>();

    private BenchSystem(BrokerAddress amqp, IReadOnlyList<Uri> gateways, IReadOnlyList<Uri> workerProbes,
        RabbitMqBroker? broker = null, BrokerVirtualHost? vhost = null, string? dataFolder = null)
    {
        Amqp = amqp;
        Gateways = gateways;
        WorkerProbes = workerProbes;
        _broker = broker;
        _vhost = vhost;
        _dataFolder = dataFolder;
    }

    public BrokerAddress Amqp { get; }

    /// <summary>Every gateway's address; empty when driving a running system without one.</summary>
    public IReadOnlyList<Uri> Gateways { get; private set; }

    /// <summary>Every worker's probes address, where its metrics are read.</summary>
    public IReadOnlyList<Uri> WorkerProbes { get; }

    public string Description { get; private set; } = "";

    /// <summary>Where the services export their traces, in this process; null when tracing is off.</summary>
    public OtlpReceiver? TraceSink { get; private set; }

    /// <summary>The processes the bench started: name (<c>worker</c>, or <c>worker-2</c> when there are several) and pid.</summary>
    public IEnumerable<(string Name, int Pid)> Processes =>
        _services.Select(s => (s.Name, s.Process.Id))
            .Concat(_broker?.ProcessId is { } broker ? [("rabbitmq", broker)] : []);

    public static async Task<BenchSystem> StartAsync(BenchOptions options, WorkloadPlan plan)
    {
        if (options.Gateway is not null || options.Amqp is not null)
        {
            return new BenchSystem(
                options.Amqp ?? throw new ArgumentException("--amqp is needed with --gateway: the bench reads the broker too."),
                options.Gateway is { } gateway ? [gateway] : [],
                options.WorkerProbes is { } probes ? [probes] : [])
            { Description = "running system at the given addresses" };
        }

        var broker = await BrokerLocator.FindAsync(options.RabbitMq);
        var vhost = await broker.CreateVirtualHostAsync();
        var data = Directory.CreateTempSubdirectory("predictions-bench-").FullName;
        // Several gateways share their results as on several hosts: in PostgreSQL, whose notifications wake each
        // one's long polls for outcomes another stored. One gateway keeps the embedded SQLite file.
        var database = options.Gateways > 1 && !plan.Settings.ContainsKey("ConnectionStrings:Results")
            ? await PostgresLocator.CreateDatabaseAsync()
            : null;
        var allProbes = Enumerable.Range(0, options.Workers).Select(_ => new Uri($"http://127.0.0.1:{Ports.Free()}/")).ToList();
        var system = new BenchSystem(BrokerConnections.Parse(vhost.ConnectionString, "the broker's address"), [], allProbes, broker, vhost, data)
        {
            Description = broker.Description,
            _database = database,
        };
        if (options.Tracing.IsOn)
        {
            system.TraceSink = await OtlpReceiver.StartAsync(keepSpans: false);
            system._tracing = options.Tracing.Environment(new Uri(system.TraceSink.Endpoint));
        }

        // One broker and one audit file for all workers; a journal and a probe port each (two workers refuse one journal).
        var workers = allProbes.Select((probes, i) => Start(system, "Worker", i, options.Workers, plan.Settings, new()
        {
            ["ConnectionStrings__RabbitMq"] = vhost.ConnectionString,
            ["ConnectionStrings__Audit"] = database?.ConnectionString ?? $"Data Source={Path.Combine(data, "audit.db")}",
            ["Inference__JournalFile"] = Path.Combine(data, $"worker-{i + 1}.journal"),
            ["Probes__Url"] = probes.ToString(),
        })).ToList();

        // One results store for all gateways, unless --set ConnectionStrings:Results names another.
        var gateways = Enumerable.Range(0, options.Gateways).Select(i => Start(system, "Gateway", i, options.Gateways, plan.Settings, new()
        {
            ["ConnectionStrings__RabbitMq"] = vhost.ConnectionString,
            ["ConnectionStrings__Results"] = database?.ConnectionString ?? $"Data Source={Path.Combine(data, "results.db")}",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        })).ToList();

        var addresses = new List<Uri>();
        foreach (var gateway in gateways)
        {
            var address = await gateway.WaitForListeningAddressAsync(StartTimeout);
            await WaitReadyAsync(new Uri(address, "/health/ready"), gateway);
            addresses.Add(address);
        }

        system.Gateways = addresses;
        foreach (var (worker, probes) in workers.Zip(allProbes))
        {
            await WaitReadyAsync(new Uri(probes, "health/ready"), worker);
        }

        return system;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.Process.DisposeAsync();
        }

        if (_vhost is not null)
        {
            await _vhost.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (TraceSink is not null)
        {
            await TraceSink.DisposeAsync();
        }

        if (_dataFolder is not null)
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
    }

    private static ServiceProcess Start(BenchSystem system, string project, int index, int count,
        IReadOnlyDictionary<string, string> settings, Dictionary<string, string> environment)
    {
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (variable, value) in system._tracing)
        {
            environment[variable] = value;
        }

        // What is being measured is the service, not its console: keep the logs to warnings.
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var service = ServiceProcess.Start(project, environment, system._dataFolder);
        var name = project.ToLowerInvariant();
        system._services.Add((count == 1 ? name : $"{name}-{index + 1}", service));
        return service;
    }

    private static async Task WaitReadyAsync(Uri probe, ServiceProcess service)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (service.HasExited)
            {
                throw new InvalidOperationException($"{service.Name} exited:\n{service.Output}");
            }

            try
            {
                if ((await http.GetAsync(probe)).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{service.Name} did not become ready:\n{service.Output}");
    }
}
