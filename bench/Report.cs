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

    /// <summary>How the http door's clients learn the outcome: <c>longpoll</c> or <c>poll</c> (none for amqp).</summary>
    public string? Client { get; init; }

    /// <summary>The poll client's interval between GETs.</summary>
    public double? PollIntervalMs { get; init; }

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

    /// <summary>GETs the http door's clients sent after submitting, over the predictions they saw finish.</summary>
    public double? PollsPerPrediction { get; init; }

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

    /// <summary>Per model and phase (<c>isolation</c>): what each model's requests did in it.</summary>
    public IReadOnlyList<ModelFigures>? Models { get; init; }

    /// <summary>For <c>isolation</c>: the fast model's latency beside the backed-up slow one over its latency alone.</summary>
    public IsolationFigures? Isolation { get; init; }

    /// <summary>For <c>rollout</c>: what loading a version through the admin API cost the fast model serving meanwhile.</summary>
    public RolloutFigures? Rollout { get; init; }

    public sealed record Latency(double P50, double P95, double P99, double Max);

    public sealed record ThreadPoolPeak(double? QueueLength, double? Threads);

    public sealed record MachineInfo(int Cores, string System, string Broker);

    /// <param name="Phase"><c>alone</c> or <c>beside slow</c>.</param>
    /// <param name="Model">The model's name in the catalog.</param>
    /// <param name="Requests">Requests sent in the phase (for the slow model: queued before it).</param>
    /// <param name="Completed">Predictions finished in the phase (for the slow model: inferences the workers ran in it).</param>
    /// <param name="Failed">Requests that failed, were refused or were lost in the phase.</param>
    /// <param name="DurationSeconds">How long the phase's load ran.</param>
    /// <param name="ThroughputPerSecond">Completed over the duration.</param>
    /// <param name="LatencyMs">What the clients saw; none for requests that were only queued.</param>
    /// <param name="StageMeansMs">The workers' stage means for this model's predictions in the phase.</param>
    /// <param name="QueuedAtStart">Requests ready in the model's lane when the phase began.</param>
    /// <param name="QueuedAtEnd">And when it ended.</param>
    public sealed record ModelFigures(
        string Phase,
        string Model,
        int Requests,
        int Completed,
        int Failed,
        double DurationSeconds,
        double ThroughputPerSecond,
        Latency? LatencyMs,
        IReadOnlyDictionary<string, double?> StageMeansMs,
        long? QueuedAtStart = null,
        long? QueuedAtEnd = null);

    /// <param name="P50Ratio">The fast model's p50 beside the slow one ÷ its p50 alone.</param>
    /// <param name="P95Ratio">The same of p95.</param>
    /// <param name="P99Ratio">The same of p99.</param>
    /// <param name="SlowBackedUpThroughout">Whether slow requests were still waiting in their lane when the phase ended.</param>
    public sealed record IsolationFigures(double? P50Ratio, double? P95Ratio, double? P99Ratio, bool SlowBackedUpThroughout);

    /// <param name="Version">The version loaded, as <c>name:version</c>.</param>
    /// <param name="LoadSeconds">From the load call to its 200: the version checked, loaded and warmed up on a worker.</param>
    /// <param name="DuringToBaseline">The fast model's percentiles while the version loaded ÷ before the call.</param>
    /// <param name="AfterToBaseline">The same once it was loaded ÷ before the call.</param>
    /// <param name="Phases">Per phase: the workers' memory and CPU, and the server's CPU per fast prediction.</param>
    /// <param name="LoadedVersionServed">Whether a request naming the loaded version completed after the last phase.</param>
    public sealed record RolloutFigures(
        string Version,
        double LoadSeconds,
        Ratios DuringToBaseline,
        Ratios AfterToBaseline,
        IReadOnlyList<PhaseResources> Phases,
        bool LoadedVersionServed);

    public sealed record Ratios(double? P50, double? P95, double? P99);

    /// <param name="Phase"><c>baseline</c>, <c>while loading</c> or <c>after</c>.</param>
    /// <param name="DurationSeconds">How long the phase's load ran.</param>
    /// <param name="WorkerPeakRssMb">The largest worker's peak RSS in the phase, sampled every 250 ms.</param>
    /// <param name="WorkerLifetimePeakRssMb">The largest worker's peak RSS since it started (VmHWM), read at the phase's end.</param>
    /// <param name="WorkerCpuSeconds">CPU the workers used in the phase.</param>
    /// <param name="WorkerCores">That CPU over the phase's duration: cores the workers kept busy.</param>
    /// <param name="ServerCpuMsPerPrediction">CPU of every process but the bench in the phase, per fast prediction completed in it.</param>
    public sealed record PhaseResources(
        string Phase,
        double DurationSeconds,
        double WorkerPeakRssMb,
        double WorkerLifetimePeakRssMb,
        double WorkerCpuSeconds,
        double WorkerCores,
        double? ServerCpuMsPerPrediction);

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
            $"  {Workload} workload through the {Door} door{ClientNamed()}: {Requests} requests, {Concurrency} clients, "
            + $"{Workers} worker(s), {Gateways} gateway(s)");
        table.AppendLine("  " + new string('-', 78));
        Row("completed / failed", $"{Completed} / {Failed} in {DurationSeconds:0.0} s");
        Row("throughput", $"{ThroughputPerSecond:0.0} predictions/s");
        Row("limit", LimitPerSecond is { } limit ? $"{limit:0.0}/s: {Limit}" : Limit);
        Row("ratio to limit", RatioToLimit is { } ratio ? $"{ratio:0.00}" : "n/a");
        Row("latency p50/p95/p99/max", $"{LatencyMs.P50:0.0} / {LatencyMs.P95:0.0} / {LatencyMs.P99:0.0} / {LatencyMs.Max:0.0} ms");
        Row("outcome delay p50/p95/p99/max",
            OutcomeDelayMs is { } delay ? $"{delay.P50:0.0} / {delay.P95:0.0} / {delay.P99:0.0} / {delay.Max:0.0} ms" : "-");
        Row("polls per prediction", PollsPerPrediction is { } polls ? $"{polls:0.00} GETs after the submission" : "-");
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

        foreach (var model in Models ?? [])
        {
            var latency = model.LatencyMs is { } l ? $"p50/p95/p99/max {l.P50:0.0} / {l.P95:0.0} / {l.P99:0.0} / {l.Max:0.0} ms" : "latency -";
            var queued = model.QueuedAtStart is { } start ? $", {start} → {model.QueuedAtEnd} queued" : "";
            Row($"{model.Model} ({model.Phase})", $"{model.Completed} / {model.Failed} of {model.Requests} in {model.DurationSeconds:0.0} s, "
                + $"{model.ThroughputPerSecond:0.0}/s, {latency}{queued}");
            Row("", "stage means " + string.Join(", ", model.StageMeansMs.Select(s => $"{s.Key} {(s.Value is { } v ? $"{v:0.0} ms" : "-")}")));
        }

        if (Isolation is { } isolation)
        {
            Row("fast beside ÷ alone", $"p50 {isolation.P50Ratio:0.00}, p95 {isolation.P95Ratio:0.00}, p99 {isolation.P99Ratio:0.00}; "
                + (isolation.SlowBackedUpThroughout ? "the slow lane stayed backed up throughout" : "the slow lane ran dry before the end"));
        }

        if (Rollout is { } rollout)
        {
            Row($"load {rollout.Version}", $"{rollout.LoadSeconds:0.00} s from the call to its 200; "
                + (rollout.LoadedVersionServed ? "a request naming it completed after" : "a request naming it did NOT complete after"));
            Row("fast while loading ÷ before", RatioRow(rollout.DuringToBaseline));
            Row("fast after ÷ before", RatioRow(rollout.AfterToBaseline));
            foreach (var phase in rollout.Phases)
            {
                Row($"worker ({phase.Phase})", $"peak RSS {phase.WorkerPeakRssMb:0.0} MB (lifetime {phase.WorkerLifetimePeakRssMb:0.0} MB), "
                    + $"CPU {phase.WorkerCpuSeconds:0.00} s = {phase.WorkerCores:0.00} cores over {phase.DurationSeconds:0.0} s; server CPU "
                    + (phase.ServerCpuMsPerPrediction is { } cpu ? $"{cpu:0.00} ms per prediction" : "-"));
            }
        }

        if (Notes is not null)
        {
            Row("notes", Notes);
        }

        return table.ToString();
    }

    private string ClientNamed() => Client switch
    {
        null => "",
        "poll" => string.Create(CultureInfo.InvariantCulture, $" (poll client, every {PollIntervalMs:0} ms)"),
        _ => $" ({Client} client)",
    };

    private static string RatioRow(Ratios ratios) => $"p50 {ratios.P50:0.00}, p95 {ratios.P95:0.00}, p99 {ratios.P99:0.00}";

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
