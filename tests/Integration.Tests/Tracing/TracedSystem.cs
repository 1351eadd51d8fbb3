using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Integration.Tests.Pipeline;

namespace Predictions.Integration.Tests.Tracing;

/// <summary>
/// The system with tracing on, shared by a test class and started by its first test: a trace receiver
/// both hosts export to, an HTTP metadata service, a gateway, and a worker that batches model calls
/// and logs JSON lines with their scopes.
/// </summary>
public sealed class TracedSystem : IAsyncLifetime
{
    /// <summary>The item the metadata service does not know: its predictions fail.</summary>
    public const long UnknownItem = 404;

    private readonly Lock _starting = new();
    private Task? _started;
    private PredictionSystem? _system;

    public OtlpReceiver Receiver { get; private set; } = null!;

    public MetadataServer Metadata { get; private set; } = null!;

    public ServiceProcess Worker { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public PredictionSystem System => _system ?? throw new InvalidOperationException("The traced system has not started.");

    /// <summary>Exports every span to <paramref name="receiver"/> over OTLP/HTTP, a batch every 200 ms.</summary>
    public static Dictionary<string, string> ExportingTo(OtlpReceiver receiver) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
    };

    /// <summary>Starts the system on <paramref name="broker"/> the first time; later calls find it running.</summary>
    public async Task<TracedSystem> StartAsync(RabbitMqBroker broker)
    {
        lock (_starting)
        {
            _started ??= StartOnceAsync(broker);
        }

        await _started;
        return this;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }

        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }

        if (Metadata is not null)
        {
            await Metadata.DisposeAsync();
        }
    }

    private async Task StartOnceAsync(RabbitMqBroker broker)
    {
        Receiver = await OtlpReceiver.StartAsync();
        Metadata = await MetadataServer.StartAsync();
        Metadata.UnknownItems[UnknownItem] = true;
        for (var item = 1; item <= 100; item++)
        {
            // The item scorer reads a popularity the metadata service's default features lack.
            Metadata.Items[item] = new Dictionary<string, double>(MetadataServer.FeaturesOf(item)) { ["popularity"] = item / 100.0 };
        }

        var system = await PredictionSystem.CreateAsync(broker);
        _system = system;
        Worker = await system.StartWorkerAsync(HttpMetadataTests.WithHttpMetadata(Metadata, new Dictionary<string, string>(Settings.ItemScorer)
        {
            // One model call at a time, each waiting briefly for more work: concurrent requests share calls.
            ["Inference:MaxConcurrency"] = "1",
            ["Inference:MaxBatchSize"] = "16",
            ["Inference:MaxBatchDelay"] = "00:00:00.2",
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        }.Concat(ExportingTo(Receiver)).ToDictionary()));
        Gateway = await system.StartGatewayAsync(ExportingTo(Receiver));
    }
}
