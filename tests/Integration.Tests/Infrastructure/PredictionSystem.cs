using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Predictions.Harness;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>
/// The whole system for one test: a private virtual host, a data folder for the SQLite stores, and
/// gateway and worker processes started on demand with the settings the test asks for.
/// </summary>
public sealed class PredictionSystem : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly List<ServiceProcess> _processes = [];

    private PredictionSystem(BrokerVirtualHost broker, string dataFolder)
    {
        Broker = broker;
        DataFolder = dataFolder;
    }

    public BrokerVirtualHost Broker { get; }

    public string DataFolder { get; }

    public string AuditDatabase => Path.Combine(DataFolder, "audit.db");

    public string ResultsDatabase => Path.Combine(DataFolder, "results.db");

    /// <summary>An Npgsql connection string both stores use instead of the SQLite files; null for SQLite.</summary>
    public string? PostgresDatabase { get; private set; }

    /// <summary>Puts both stores of every service started from now on in this PostgreSQL database.</summary>
    public void UsePostgres(string connectionString) => PostgresDatabase = connectionString;

    /// <summary>A client for the last gateway started.</summary>
    public HttpClient Http { get; private set; } = new();

    public static async Task<PredictionSystem> CreateAsync(RabbitMqBroker broker) =>
        new(await broker.CreateVirtualHostAsync(), Directory.CreateTempSubdirectory("predictions-test-").FullName);

    /// <summary>Where the last worker started answers its health probes and metrics.</summary>
    public Uri? WorkerProbes { get; private set; }

    /// <summary>Starts a worker and returns once both of its queues have a consumer.</summary>
    public async Task<ServiceProcess> StartWorkerAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var worker = StartWorker(settings);
        await WaitUntilConsumingAsync(worker);
        return worker;
    }

    /// <summary>Starts a worker process and returns at once, as an orchestrator restarting it would.</summary>
    public ServiceProcess StartWorker(IReadOnlyDictionary<string, string>? settings = null)
    {
        WorkerProbes = new Uri($"http://127.0.0.1:{Ports.Free()}/");
        return Start("Worker", new Dictionary<string, string>
        {
            ["ConnectionStrings:RabbitMq"] = Broker.ConnectionString,
            ["ConnectionStrings:Audit"] = PostgresDatabase ?? $"Data Source={AuditDatabase}",
            ["Probes:Url"] = WorkerProbes.ToString(),
        }, settings);
    }

    /// <summary>
    /// Waits until the worker consumes from both of its queues: until both have at least
    /// <paramref name="workers"/> consumers, where that many workers run.
    /// </summary>
    public Task WaitUntilConsumingAsync(ServiceProcess worker, int workers = 1) =>
        Eventually.HoldsAsync(
            async () => !worker.HasExited
                && (await Broker.GetQueueAsync(Topology.WorkQueue))?.Consumers >= workers
                && (await Broker.GetQueueAsync(Topology.AuditQueue))?.Consumers >= workers,
            StartTimeout,
            () => $"The worker did not start consuming. Output:\n{worker.Output}");

    /// <summary>Starts a gateway on a free port and returns once it reports ready, or only listens when not <paramref name="untilReady"/>.</summary>
    public async Task<ServiceProcess> StartGatewayAsync(IReadOnlyDictionary<string, string>? settings = null, bool untilReady = true)
    {
        var gateway = StartGateway(settings);
        Http.Dispose();
        Http = new HttpClient { BaseAddress = await gateway.WaitForListeningAddressAsync(StartTimeout), Timeout = TimeSpan.FromSeconds(30) };
        if (!untilReady)
        {
            return gateway;
        }

        await Eventually.HoldsAsync(
            async () => (await Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            StartTimeout,
            () => $"The gateway did not become ready. Output:\n{gateway.Output}");
        return gateway;
    }

    /// <summary>Starts a gateway process on a free port and returns at once.</summary>
    public ServiceProcess StartGateway(IReadOnlyDictionary<string, string>? settings = null) =>
        Start("Gateway", new Dictionary<string, string>
        {
            ["ConnectionStrings:RabbitMq"] = Broker.ConnectionString,
            ["ConnectionStrings:Results"] = PostgresDatabase ?? $"Data Source={ResultsDatabase}",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        }, settings);

    /// <summary>A client for the last gateway started that sends <paramref name="apiKey"/> in <c>X-Api-Key</c>.</summary>
    public HttpClient ClientWithKey(string apiKey)
    {
        var client = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = Http.Timeout };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Submits over HTTP and returns the 202 body.</summary>
    public async Task<JsonElement> SubmitAsync(long itemId, double featureValue)
    {
        using var response = await Http.PostAsJsonAsync("/predictions", new { itemId, featureValue });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /predictions answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls <c>GET /predictions/{id}</c> until the prediction is no longer queued.</summary>
    public async Task<JsonElement> WaitForOutcomeAsync(string id, TimeSpan timeout)
    {
        JsonElement last = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                last = await Http.GetFromJsonAsync<JsonElement>($"/predictions/{id}");
                return last.GetProperty("status").GetString() != "queued";
            },
            timeout,
            () => $"Prediction {id} is still {last}.\n{Describe()}");
        return last;
    }

    public AuditTable Audit => new(PostgresDatabase ?? AuditDatabase);

    /// <summary>The gateways' status store, where <see cref="Audit"/> is the workers' audit.</summary>
    public StatusTable Statuses => new(PostgresDatabase ?? ResultsDatabase);

    /// <summary>Every process's output, for failure messages.</summary>
    public string Describe() =>
        string.Join("\n", _processes.Select(p => $"--- {p.Name} (pid {p.Id}{(p.HasExited ? $", exited {p.ExitCode}" : "")}):\n{p.Output}"));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await Broker.DisposeAsync();
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private ServiceProcess Start(string project, Dictionary<string, string> defaults, IReadOnlyDictionary<string, string>? settings)
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            defaults[key] = value;
        }

        var process = ServiceProcess.Start(
            project, defaults.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value), DataFolder);
        _processes.Add(process);
        return process;
    }
}
