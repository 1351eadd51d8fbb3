using System.Net;
using Predictions.Harness;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Bench;

/// <summary>
/// The system the bench drives: started here like the README's run command (a broker found or started,
/// the worker and gateway as processes, configured by environment), or one already running at given addresses.
/// </summary>
public sealed class BenchSystem : IAsyncDisposable
{
    private readonly RabbitMqBroker? _broker;
    private readonly BrokerVirtualHost? _vhost;
    private readonly List<ServiceProcess> _services = [];
    private readonly string? _dataFolder;

    private BenchSystem(BrokerAddress amqp, Uri? gateway, Uri? workerProbes, RabbitMqBroker? broker = null, BrokerVirtualHost? vhost = null, string? dataFolder = null)
    {
        Amqp = amqp;
        Gateway = gateway;
        WorkerProbes = workerProbes;
        _broker = broker;
        _vhost = vhost;
        _dataFolder = dataFolder;
    }

    public BrokerAddress Amqp { get; }

    public Uri? Gateway { get; private set; }

    public Uri? WorkerProbes { get; }

    public string Description { get; private set; } = "";

    /// <summary>The processes the bench started: name and pid.</summary>
    public IEnumerable<(string Name, int Pid)> Processes =>
        _services.Select(s => (s.Name.ToLowerInvariant(), s.Id))
            .Concat(_broker?.ProcessId is { } broker ? [("rabbitmq", broker)] : []);

    public static async Task<BenchSystem> StartAsync(BenchOptions options, WorkloadPlan plan)
    {
        if (options.Gateway is not null || options.Amqp is not null)
        {
            return new BenchSystem(
                options.Amqp ?? throw new ArgumentException("--amqp is needed with --gateway: the bench reads the broker too."),
                options.Gateway,
                options.WorkerProbes)
            { Description = "running system at the given addresses" };
        }

        var broker = await BrokerLocator.FindAsync();
        var vhost = await broker.CreateVirtualHostAsync();
        var data = Directory.CreateTempSubdirectory("predictions-bench-").FullName;
        var probes = new Uri($"http://127.0.0.1:{Ports.Free()}/");
        var system = new BenchSystem(BrokerConnections.Parse(vhost.ConnectionString, "the broker's address"), null, probes, broker, vhost, data) { Description = broker.Description };

        var worker = Start(system, "Worker", plan.Settings, new()
        {
            ["ConnectionStrings__RabbitMq"] = vhost.ConnectionString,
            ["ConnectionStrings__Audit"] = $"Data Source={Path.Combine(data, "audit.db")}",
            ["Probes__Url"] = probes.ToString(),
        });
        var gateway = Start(system, "Gateway", plan.Settings, new()
        {
            ["ConnectionStrings__RabbitMq"] = vhost.ConnectionString,
            ["ConnectionStrings__Results"] = $"Data Source={Path.Combine(data, "results.db")}",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        system.Gateway = await gateway.WaitForListeningAddressAsync(TimeSpan.FromSeconds(60));
        await WaitReadyAsync(new Uri(system.Gateway, "/health/ready"), gateway);
        await WaitReadyAsync(new Uri(probes, "health/ready"), worker);
        return system;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        if (_vhost is not null)
        {
            await _vhost.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        if (_dataFolder is not null)
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
    }

    private static ServiceProcess Start(BenchSystem system, string project, IReadOnlyDictionary<string, string> settings, Dictionary<string, string> environment)
    {
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        // What is being measured is the service, not its console: keep the logs to warnings.
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var service = ServiceProcess.Start(project, environment, system._dataFolder);
        system._services.Add(service);
        return service;
    }

    private static async Task WaitReadyAsync(Uri probe, ServiceProcess service)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
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
