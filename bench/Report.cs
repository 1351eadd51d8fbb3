using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Predictions.Bench;

/// <summary>One run's figures, as a table for people and as JSON for tools.</summary>
public sealed record Report
{
    public required string Workload { get; init; }

    public required string Door { get; init; }

    public required int Requests { get; init; }

    public required int Concurrency { get; init; }

    /// <summary>Worker and gateway processes the bench started.</summary>
    public int Workers { get; init; } = 1;

    public int Gateways { get; init; } = 1;

    public required int Completed { get; init; }

    public required int Failed { get; init; }

    public required double DurationSeconds { get; init; }

    public required double ThroughputPerSecond { get; init; }

    public required double? LimitPerSecond { get; init; }

    public required string Limit { get; init; }

    public required double? RatioToLimit { get; init; }

    public required Latency LatencyMs { get; init; }

    /// <summary>From the worker finishing a prediction to its client having the outcome (http door only).</summary>
    public Latency? OutcomeDelayMs { get; init; }

    /// <summary>Mean milliseconds per worker stage: broker_wait, metadata, pool_wait, batch_wait, inference.</summary>
    public required IReadOnlyDictionary<string, double?> StageMeansMs { get; init; }

    /// <summary>Mean inputs per model call in the worker.</summary>
    public double? MeanBatchSize { get; init; }

    public required IReadOnlyList<ProcessReport> Processes { get; init; }

    /// <summary>The processes summed per role (worker, gateway, rabbitmq, bench).</summary>
    public IReadOnlyList<RoleReport> Roles => RoleReport.For(Processes, Completed);

    /// <summary>
    /// CPU milliseconds per completed prediction of every process serving it (workers, gateways, broker), the bench
    /// client left out: the figure to compare across machines and commits.
    /// </summary>
    public double? ServerCpuMsPerPrediction => RoleReport.PerPrediction(Processes.Where(p => p.Name != "bench").Sum(p => p.CpuSeconds), Completed);

    /// <summary>Peak thread-pool queue length and thread count seen on each host during the run: starvation shows here.</summary>
    public required IReadOnlyDictionary<string, ThreadPoolPeak> ThreadPool { get; init; }

    public required IReadOnlyDictionary<string, string> Settings { get; init; }

    public required MachineInfo Machine { get; init; }

    /// <summary>Whether the services exported traces, and what the bench's trace sink received of the measured run.</summary>
    public TracingFigures Tracing { get; init; } = new("off", null, null, null, null);

    public string? Notes { get; init; }

    public sealed record Latency(double P50, double P95, double P99, double Max);

    public sealed record ThreadPoolPeak(double? QueueLength, double? Threads);

    public sealed record MachineInfo(int Cores, string System, string Broker);

    /// <param name="Mode"><c>off</c>, <c>on</c> (every trace) or the ratio of traces kept.</param>
    /// <param name="Sampler">The sampler and its argument as the services were given them.</param>
    /// <param name="ExportRequests">OTLP export requests the bench's sink received for the measured run.</param>
    /// <param name="ExportedBytes">Their bodies' bytes, as sent (protobuf, not decoded).</param>
    /// <param name="Complete">Whether the exports had stopped arriving when the bench stopped counting.</param>
    public sealed record TracingFigures(string Mode, string? Sampler, long? ExportRequests, long? ExportedBytes, bool? Complete);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToTable()
    {
        var table = new StringBuilder();
        void Row(string name, string value) => table.AppendLine(CultureInfo.InvariantCulture, $"  {name,-24} {value}");
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture,
            $"  {Workload} workload through the {Door} door: {Requests} requests, {Concurrency} clients, "
            + $"{Workers} worker(s), {Gateways} gateway(s)");
        table.AppendLine("  " + new string('-', 78));
        Row("completed / failed", $"{Completed} / {Failed} in {DurationSeconds:0.0} s");
        Row("throughput", $"{ThroughputPerSecond:0.0} predictions/s");
        Row("limit", LimitPerSecond is { } limit ? $"{limit:0.0}/s: {Limit}" : Limit);
        Row("ratio to limit", RatioToLimit is { } ratio ? $"{ratio:0.00}" : "n/a");
        Row("latency p50/p95/p99/max", $"{LatencyMs.P50:0.0} / {LatencyMs.P95:0.0} / {LatencyMs.P99:0.0} / {LatencyMs.Max:0.0} ms");
        Row("outcome delay p50/p95/p99/max",
            OutcomeDelayMs is { } delay ? $"{delay.P50:0.0} / {delay.P95:0.0} / {delay.P99:0.0} / {delay.Max:0.0} ms" : "-");
        Row("stage means", string.Join(", ", StageMeansMs.Select(s => $"{s.Key} {(s.Value is { } v ? $"{v:0.0} ms" : "-")}")));
        Row("mean batch size", MeanBatchSize is { } batch ? $"{batch:0.00} inputs per model call" : "-");
        Row("tracing", TracingRow());
        foreach (var process in Processes)
        {
            Row(process.Name, $"peak RSS {process.PeakRssMb:0.0} MB (lifetime {process.LifetimePeakRssMb:0.0} MB), "
                + $"CPU {process.CpuSeconds:0.00} s{PerPrediction(process.CpuSeconds)}");
        }

        foreach (var role in Roles.Where(r => r.Processes > 1))
        {
            Row($"{role.Role} × {role.Processes}",
                $"peak RSS {role.PeakRssMb:0.0} MB, CPU {role.CpuSeconds:0.00} s{PerPrediction(role.CpuSeconds)} in all");
        }

        Row("server CPU", ServerCpuMsPerPrediction is { } server ? $"{server:0.00} ms per prediction (every process but the bench)" : "-");
        foreach (var (host, peak) in ThreadPool)
        {
            Row($"{host} thread pool", $"peak queue {peak.QueueLength?.ToString(CultureInfo.InvariantCulture) ?? "-"}, "
                + $"peak threads {peak.Threads?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        }

        if (Notes is not null)
        {
            Row("notes", Notes);
        }

        return table.ToString();
    }

    private string TracingRow()
    {
        if (Tracing is not { Sampler: { } sampler, ExportRequests: { } requests, ExportedBytes: { } bytes })
        {
            return Tracing.Mode;
        }

        var perPrediction = Completed > 0
            ? string.Create(CultureInfo.InvariantCulture, $", {bytes / (double)Completed:0} bytes per prediction")
            : "";
        var late = Tracing.Complete == false ? "; exports were still arriving when the bench stopped counting" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Tracing.Mode} ({sampler}): the sink received {requests} export requests, {bytes / 1e6:0.00} MB{perPrediction}{late}");
    }

    private string PerPrediction(double cpuSeconds) =>
        RoleReport.PerPrediction(cpuSeconds, Completed) is { } ms
            ? string.Create(CultureInfo.InvariantCulture, $" ({ms:0.00} ms per prediction)")
            : "";
}
