using System.Diagnostics;

namespace Predictions.ServiceDefaults.Telemetry;

/// <summary>
/// The spans the services make of their own, beside ASP.NET Core's, HttpClient's and MassTransit's: one source,
/// <c>Predictions</c>. Every one about a prediction carries <see cref="PredictionIdTag"/>. While tracing is off
/// nothing listens to the source, and starting a span returns null at once.
/// </summary>
public static class PredictionTracing
{
    public const string SourceName = "Predictions";

    public const string PredictionIdTag = "prediction.id";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span that starts now, under the current one, until disposed.</summary>
    public static Activity? Start(string name, Guid predictionId) =>
        Source.StartActivity(name, ActivityKind.Internal)?.SetTag(PredictionIdTag, predictionId.ToString("D"));

    /// <summary>
    /// A span for a stage that has already run, timed by when it did, under <paramref name="parent"/> (the current
    /// span when default). Not made when the parent's trace is not sampled, or when there is no parent.
    /// </summary>
    public static Activity? Record(
        string name, Guid predictionId, DateTimeOffset start, DateTimeOffset end, ActivityContext parent = default,
        IEnumerable<ActivityLink>? links = null)
    {
        // Most traces are not kept when sampling: their stages are not worth even an unrecorded span.
        var parentFlags = parent == default ? Activity.Current?.ActivityTraceFlags : parent.TraceFlags;
        if (end < start || parentFlags is not { } flags || !flags.HasFlag(ActivityTraceFlags.Recorded) || !Source.HasListeners())
        {
            return null;
        }

        var span = Source.StartActivity(name, ActivityKind.Internal, parent, links: links, startTime: start);
        if (span is null)
        {
            return null;
        }

        span.SetTag(PredictionIdTag, predictionId.ToString("D"));
        span.SetEndTime(end.UtcDateTime);
        span.Stop();
        return span;
    }

    /// <summary>Marks the current span (an HTTP request, a consume) as being about <paramref name="predictionId"/>.</summary>
    public static void Tag(Guid predictionId) => Activity.Current?.SetTag(PredictionIdTag, predictionId.ToString("D"));
}
