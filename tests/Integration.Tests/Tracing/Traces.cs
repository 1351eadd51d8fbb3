using System.Diagnostics;
using Predictions.Harness;

namespace Predictions.Integration.Tests.Tracing;

/// <summary>Questions the tracing tests ask of the spans a receiver holds.</summary>
public static class Traces
{
    public const string Gateway = "prediction-gateway";
    public const string Worker = "prediction-worker";

    /// <summary>
    /// The spans that name <paramref name="predictionId"/> in their <c>prediction.id</c>, but for the reads of its
    /// status: each poll is a request, and a trace, of its own.
    /// </summary>
    public static IEnumerable<ReceivedSpan> About(this IEnumerable<ReceivedSpan> spans, string predictionId) =>
        spans.Where(s => s.Attribute("prediction.id") == predictionId && !IsStatusRead(s));

    /// <summary>Whether this is the gateway's span of <paramref name="method"/> <paramref name="path"/>.</summary>
    public static bool IsRequest(this ReceivedSpan span, string method, string path) =>
        span.Service == Gateway && span.Kind == ActivityKind.Server
            && span.Attribute("http.request.method") == method && span.Attribute("url.path") == path;

    /// <summary>The trace ids of the spans about <paramref name="predictionId"/>: one, when all is well.</summary>
    public static IReadOnlyList<string> TraceIdsOf(this IEnumerable<ReceivedSpan> spans, string predictionId) =>
        [.. spans.About(predictionId).Select(s => s.TraceId).Distinct()];

    public static IReadOnlyList<ReceivedSpan> InTrace(this IEnumerable<ReceivedSpan> spans, string traceId) =>
        [.. spans.Where(s => s.TraceId == traceId)];

    /// <summary>The span's parent in <paramref name="trace"/>, or null for a root or a parent not (yet) received.</summary>
    public static ReceivedSpan? ParentOf(this IReadOnlyList<ReceivedSpan> trace, ReceivedSpan span) =>
        span.IsRoot ? null : trace.FirstOrDefault(s => s.SpanId == span.ParentSpanId);

    /// <summary>The span and its ancestors, nearest first, as far as the received spans reach.</summary>
    public static IReadOnlyList<ReceivedSpan> ChainUp(this IReadOnlyList<ReceivedSpan> trace, ReceivedSpan span)
    {
        var chain = new List<ReceivedSpan> { span };
        for (var parent = trace.ParentOf(span); parent is not null && chain.Count <= trace.Count; parent = trace.ParentOf(parent))
        {
            chain.Add(parent);
        }

        return chain;
    }

    private static bool IsStatusRead(ReceivedSpan span) =>
        span.Kind == ActivityKind.Server && span.Attribute("http.request.method") == "GET";
}
