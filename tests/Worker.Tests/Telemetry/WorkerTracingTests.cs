using System.Diagnostics;
using Predictions.Contracts;
using Predictions.ServiceDefaults.Telemetry;
using Predictions.Worker.Inference;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Tests.Telemetry;

/// <summary>The worker's stage spans and the batch span, as a listener that samples like the SDK sees them.</summary>
[Collection(nameof(WorkerTracingTests))]
public sealed class WorkerTracingTests : IDisposable
{
    private static readonly ModelIdentity Model = new() { Name = "scorer", Version = "7" };

    private readonly List<Activity> _spans = [];
    private readonly ActivityListener _listener;

    public WorkerTracingTests()
    {
        // Parent-based, as the services sample: a span is recorded only when its parent's trace is.
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PredictionTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent == default || options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
                    ? ActivitySamplingResult.AllDataAndRecorded
                    : ActivitySamplingResult.PropagationData,
            ActivityStopped = span => { lock (_spans) { _spans.Add(span); } },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public void The_stages_of_an_inference_are_recorded_under_the_consume_as_they_happened()
    {
        var id = Guid.NewGuid();
        var at = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        using var consume = new Activity("prediction-worker process").SetIdFormat(ActivityIdFormat.W3C).Start();
        consume.ActivityTraceFlags = ActivityTraceFlags.Recorded;

        InferenceTracing.Record(
            id, new InferenceOutcome(0.5, at, at.AddMilliseconds(3), at.AddMilliseconds(5), at.AddMilliseconds(9), BatchSize: 4), Model);

        var spans = Mine(consume);
        Assert.Equal(["pool_wait", "batch_wait", "inference"], spans.Select(s => s.OperationName));
        Assert.All(spans, span => Assert.Equal(id.ToString("D"), span.GetTagItem(PredictionTracing.PredictionIdTag)));
        Assert.Equal([3, 2, 4], spans.Select(s => s.Duration.TotalMilliseconds));
        Assert.Equal(at.AddMilliseconds(5).UtcDateTime, spans[2].StartTimeUtc);
        Assert.Equal(
            (4, "scorer", "7"),
            (spans[2].GetTagItem(WorkerTracing.BatchSizeTag), spans[2].GetTagItem(WorkerTracing.ModelNameTag),
                spans[2].GetTagItem(WorkerTracing.ModelVersionTag)));
    }

    [Fact]
    public void A_consume_whose_trace_is_not_sampled_gets_no_stage_spans()
    {
        using var consume = new Activity("prediction-worker process").SetIdFormat(ActivityIdFormat.W3C).Start();
        consume.ActivityTraceFlags = ActivityTraceFlags.None;
        var at = DateTimeOffset.UtcNow;

        InferenceTracing.Record(Guid.NewGuid(), new InferenceOutcome(0.5, at, at, at, at.AddMilliseconds(1), 1), Model);

        Assert.Empty(Mine(consume));
    }

    [Fact]
    public void A_batch_span_lives_in_the_first_sampled_trace_and_links_every_prediction_in_the_batch()
    {
        var unsampled = Context(ActivityTraceFlags.None);
        var first = Context(ActivityTraceFlags.Recorded);
        var second = Context(ActivityTraceFlags.Recorded);

        using (var batch = WorkerTracing.StartBatch([unsampled, first, second], Model))
        {
            Assert.NotNull(batch);
            Assert.Equal(first.TraceId, batch.TraceId);
            Assert.Equal(first.SpanId, batch.ParentSpanId);
            Assert.Equal([unsampled, first, second], batch.Links.Select(link => link.Context));
            Assert.Equal(3, batch.GetTagItem(WorkerTracing.BatchSizeTag));
        }

        Assert.Null(WorkerTracing.StartBatch([unsampled, default], Model));
    }

    private static ActivityContext Context(ActivityTraceFlags flags) => new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), flags);

    private List<Activity> Mine(Activity parent)
    {
        lock (_spans)
        {
            return [.. _spans.Where(span => span.ParentSpanId == parent.SpanId)];
        }
    }
}
