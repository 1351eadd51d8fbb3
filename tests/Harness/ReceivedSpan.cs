using System.Diagnostics;
using System.Globalization;

namespace Predictions.Harness;

/// <summary>
/// One span as an OTLP exporter sent it to the <see cref="OtlpReceiver"/>. Ids are lowercase hex
/// (<see cref="ParentSpanId"/> is empty for a root span); attribute values are <c>string</c>, <c>bool</c>,
/// <c>long</c> (every OTLP integer), <c>double</c>, <c>byte[]</c>, <c>object?[]</c> for arrays and a
/// dictionary for key-value lists.
/// </summary>
public sealed record ReceivedSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    ActivityKind Kind,
    string Service,
    string Scope,
    IReadOnlyDictionary<string, object?> Attributes,
    IReadOnlyList<(string TraceId, string SpanId)> Links,
    DateTimeOffset Start,
    DateTimeOffset End,
    ActivityStatusCode Status,
    string StatusMessage)
{
    public bool IsRoot => ParentSpanId.Length == 0;

    /// <summary>The attribute's value as text, or null when the span lacks it.</summary>
    public string? Attribute(string key) =>
        Attributes.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    /// <summary>One line for failure messages: where the span sits in its trace and what it says.</summary>
    public override string ToString() =>
        $"{Service} '{Name}' {Kind} trace {TraceId} span {SpanId} parent {(IsRoot ? "-" : ParentSpanId)}"
        + (Links.Count == 0 ? "" : $" links [{string.Join(", ", Links.Select(l => $"{l.TraceId}/{l.SpanId}"))}]")
        + $" {{{string.Join(", ", Attributes.Select(a => $"{a.Key}={Convert.ToString(a.Value, CultureInfo.InvariantCulture)}"))}}}";
}
