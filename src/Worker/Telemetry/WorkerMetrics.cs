using System.Diagnostics;
using System.Diagnostics.Metrics;
using Predictions.Contracts;

namespace Predictions.Worker.Telemetry;

/// <summary>
/// The worker's instruments (meter <c>Predictions.Worker</c>): how long each stage takes, how busy the
/// inference pool is and how large its batches, how many predictions are in flight and how they end.
/// </summary>
public sealed class WorkerMetrics
{
    public const string MeterName = "Predictions.Worker";

    private static readonly double[] SecondsBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30, 60];

    private static readonly int[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    private readonly Meter _meter;
    private readonly Histogram<double> _stageDuration;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _outcomes;
    private readonly UpDownCounter<long> _active;

    public WorkerMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        _stageDuration = meter.CreateHistogram(
            "prediction.stage.duration", "s",
            "Time a prediction spent in one stage: broker_wait, metadata, pool_wait (for a pool thread), "
            + "batch_wait (for its batch to fill) or inference.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _batchSize = meter.CreateHistogram(
            "prediction.inference.batch.size", "{prediction}", "Inputs in one model call.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });
        _outcomes = meter.CreateCounter<long>(
            "prediction.outcomes",
            "{prediction}",
            "Predictions finished here, by outcome: completed, failed, expired, rejected (unreadable) or forwarded (to another model's lane).");
        _active = meter.CreateUpDownCounter<long>("prediction.active", "{prediction}", "Predictions this worker holds right now.");
    }

    /// <summary>Reports the pool's threads and queue whenever the metrics are read.</summary>
    public void ObservePool(int threads, Func<int> busy, Func<int> queued)
    {
        _meter.CreateObservableUpDownCounter(
            "prediction.inference.threads",
            () => new Measurement<int>[]
            {
                new(busy(), new KeyValuePair<string, object?>("state", "busy")),
                new(threads - busy(), new KeyValuePair<string, object?>("state", "idle")),
            },
            "{thread}",
            "Inference pool threads, busy or idle.");
        _meter.CreateObservableUpDownCounter(
            "prediction.inference.queue.length", () => queued(), "{inference}", "Inferences waiting for a pool thread.");
    }

    /// <summary>Counts a prediction in flight until the returned scope is disposed.</summary>
    public ActiveScope Track()
    {
        _active.Add(1);
        return new ActiveScope(_active);
    }

    /// <summary>
    /// Counts a prediction that ended here, by outcome: completed, failed, expired, rejected (unreadable), or forwarded (to
    /// another model's lane), with the model when it is known.
    /// </summary>
    public void Outcome(string outcome, ModelIdentity? model = null)
    {
        var tags = ModelTags(model);
        tags.Add("prediction.outcome", outcome);
        _outcomes.Add(1, tags);
    }

    /// <summary>One call of <paramref name="model"/>, with <paramref name="batchSize"/> inputs.</summary>
    public void ModelCall(int batchSize, ModelIdentity model) => _batchSize.Record(batchSize, ModelTags(model));

    /// <summary>
    /// Records every stage the timings show; a stage that did not run is skipped. When a pool thread took the
    /// prediction (<paramref name="takenAt"/>), the wait for the model splits into the wait for a thread and
    /// the wait for the batch to fill.
    /// </summary>
    public void Stages(PredictionTimings timings, DateTimeOffset? submittedAt, ModelIdentity? model, DateTimeOffset? takenAt = null)
    {
        Stage("broker_wait", submittedAt, timings.ReceivedAt, model);
        Stage("metadata", timings.MetadataStartedAt, timings.MetadataCompletedAt, model);
        if (takenAt is null)
        {
            Stage("pool_wait", timings.InferenceQueuedAt, timings.InferenceStartedAt, model);
        }
        else
        {
            Stage("pool_wait", timings.InferenceQueuedAt, takenAt, model);
            Stage("batch_wait", takenAt, timings.InferenceStartedAt, model);
        }

        Stage("inference", timings.InferenceStartedAt, timings.InferenceCompletedAt, model);
    }

    private void Stage(string stage, DateTimeOffset? start, DateTimeOffset? end, ModelIdentity? model)
    {
        // A publisher's clock may run ahead of ours: a negative broker wait says nothing, so it is not recorded.
        if (start is { } s && end is { } e && e >= s)
        {
            var tags = ModelTags(model);
            tags.Add("prediction.stage", stage);
            _stageDuration.Record((e - s).TotalSeconds, tags);
        }
    }

    // Every series per model version: Prometheus shows them as model_name and model_version labels.
    private static TagList ModelTags(ModelIdentity? model)
    {
        var tags = default(TagList);
        if (model is not null)
        {
            tags.Add(WorkerTracing.ModelNameTag, model.Name);
            tags.Add(WorkerTracing.ModelVersionTag, model.Version);
        }

        return tags;
    }

    public readonly struct ActiveScope(UpDownCounter<long> active) : IDisposable
    {
        public void Dispose() => active.Add(-1);
    }
}
