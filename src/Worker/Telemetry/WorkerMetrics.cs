using System.Diagnostics.Metrics;
using Predictions.Contracts;
using Predictions.Worker.Inference;

namespace Predictions.Worker.Telemetry;

/// <summary>
/// The worker's instruments (meter <c>Predictions.Worker</c>): how long each stage takes, how busy the
/// inference pool is, how many predictions are in flight and how they end.
/// </summary>
public sealed class WorkerMetrics
{
    public const string MeterName = "Predictions.Worker";

    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30, 60];

    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _outcomes;
    private readonly UpDownCounter<long> _active;

    public WorkerMetrics(IMeterFactory meterFactory, InferencePool pool)
    {
        var meter = meterFactory.Create(MeterName);
        _stageDuration = meter.CreateHistogram(
            "prediction.stage.duration", "s", "Time a prediction spent in one stage: broker_wait, metadata, pool_wait or inference.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _outcomes = meter.CreateCounter<long>("prediction.outcomes", "{prediction}", "Predictions finished, by outcome: completed, failed, expired or rejected.");
        _active = meter.CreateUpDownCounter<long>("prediction.active", "{prediction}", "Predictions this worker holds right now.");
        meter.CreateObservableUpDownCounter(
            "prediction.inference.threads",
            () => new Measurement<int>[]
            {
                new(pool.Busy, new KeyValuePair<string, object?>("state", "busy")),
                new(pool.MaxConcurrency - pool.Busy, new KeyValuePair<string, object?>("state", "idle")),
            },
            "{thread}",
            "Inference pool threads, busy or idle.");
        meter.CreateObservableUpDownCounter("prediction.inference.queue.length", () => pool.Queued, "{inference}", "Inferences waiting for a pool thread.");
    }

    /// <summary>Counts a prediction in flight until the returned scope is disposed.</summary>
    public ActiveScope Track()
    {
        _active.Add(1);
        return new ActiveScope(_active);
    }

    public void Outcome(string outcome) =>
        _outcomes.Add(1, new KeyValuePair<string, object?>("prediction.outcome", outcome));

    /// <summary>Records every stage the timings show; a stage that did not run is skipped.</summary>
    public void Stages(PredictionTimings timings, DateTimeOffset? submittedAt)
    {
        Stage("broker_wait", submittedAt, timings.ReceivedAt);
        Stage("metadata", timings.MetadataStartedAt, timings.MetadataCompletedAt);
        Stage("pool_wait", timings.InferenceQueuedAt, timings.InferenceStartedAt);
        Stage("inference", timings.InferenceStartedAt, timings.InferenceCompletedAt);
    }

    private void Stage(string stage, DateTimeOffset? start, DateTimeOffset? end)
    {
        // A publisher's clock may run ahead of ours: a negative broker wait says nothing, so it is not recorded.
        if (start is { } s && end is { } e && e >= s)
        {
            _stageDuration.Record((e - s).TotalSeconds, new KeyValuePair<string, object?>("prediction.stage", stage));
        }
    }

    public readonly struct ActiveScope(UpDownCounter<long> active) : IDisposable
    {
        public void Dispose() => active.Add(-1);
    }
}
