using System.Diagnostics.Metrics;
using System.Globalization;

namespace Predictions.Gateway.Telemetry;

/// <summary>The gateway's own instruments (meter <c>Predictions.Gateway</c>); HTTP metrics come from ASP.NET Core.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Predictions.Gateway";

    private readonly Counter<long> _submissions;
    private readonly UpDownCounter<long> _waiting;
    private readonly Counter<long> _canaryStops;
    private readonly Counter<long> _shadowsDropped;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _submissions = meter.CreateCounter<long>(
            "prediction.submissions", "{request}",
            "POST /predictions by result: accepted, replayed (same Idempotency-Key), rejected, throttled (work queue full), "
            + "rate_limited (API key over its rate) or unavailable (broker or results store).");
        _waiting = meter.CreateUpDownCounter<long>("prediction.waiting_clients", "{request}", "Long-polling requests waiting for an outcome.");
        _canaryStops = meter.CreateCounter<long>(
            "prediction.canary_stops", "{canary}", "Canaries the guard set back to 0%, by model name and version.");
        _shadowsDropped = meter.CreateCounter<long>(
            "prediction.shadows_dropped", "{request}", "Shadow copies not published (their lane full or missing, or the broker refused).");
    }

    public void Submission(string result) =>
        _submissions.Add(1, new KeyValuePair<string, object?>("prediction.submission.result", result));

    public void CanaryStopped(string model, int version) => _canaryStops.Add(
        1,
        new KeyValuePair<string, object?>("model_name", model),
        new KeyValuePair<string, object?>("model_version", version.ToString(CultureInfo.InvariantCulture)));

    public void ShadowDropped(string model) => _shadowsDropped.Add(1, new KeyValuePair<string, object?>("model_name", model));

    /// <summary>Counts a waiting client until the returned scope is disposed.</summary>
    public WaitingScope Waiting()
    {
        _waiting.Add(1);
        return new WaitingScope(_waiting);
    }

    public readonly struct WaitingScope(UpDownCounter<long> waiting) : IDisposable
    {
        public void Dispose() => waiting.Add(-1);
    }
}
