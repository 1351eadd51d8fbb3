using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Predictions.Harness.Otlp;

/// <summary>Turns the wire form of an OTLP trace export into <see cref="ReceivedSpan"/> records.</summary>
public static class OtlpSpanDecoder
{
    // Events and the other fields the subset leaves out are skipped, not kept as unknown fields.
    private static readonly MessageParser<ExportTraceServiceRequest> Parser =
        ExportTraceServiceRequest.Parser.WithDiscardUnknownFields(true);

    public static ExportTraceServiceRequest Parse(ReadOnlySpan<byte> body) => Parser.ParseFrom(body);

    /// <summary>How many spans the request holds, without decoding them further.</summary>
    public static int CountSpans(ExportTraceServiceRequest request) =>
        request.ResourceSpans.Sum(resource => resource.ScopeSpans.Sum(scope => scope.Spans.Count));

    public static IEnumerable<ReceivedSpan> Decode(ExportTraceServiceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            var service = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? "";
            foreach (var scope in resource.ScopeSpans)
            {
                foreach (var span in scope.Spans)
                {
                    yield return new ReceivedSpan(
                        Hex(span.TraceId),
                        Hex(span.SpanId),
                        Hex(span.ParentSpanId),
                        span.Name,
                        KindOf(span.Kind),
                        service,
                        scope.Scope?.Name ?? "",
                        Attributes(span.Attributes),
                        [.. span.Links.Select(link => (Hex(link.TraceId), Hex(link.SpanId)))],
                        Time(span.StartTimeUnixNano),
                        Time(span.EndTimeUnixNano),
                        (ActivityStatusCode)(int)(span.Status?.Code ?? Status.Types.StatusCode.Unset),
                        span.Status?.Message ?? "");
                }
            }
        }
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static DateTimeOffset Time(ulong unixNanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanoseconds / 100));

    // OTLP numbers the kinds one above ActivityKind, and has an "unspecified" that means internal.
    private static ActivityKind KindOf(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Server => ActivityKind.Server,
        Span.Types.SpanKind.Client => ActivityKind.Client,
        Span.Types.SpanKind.Producer => ActivityKind.Producer,
        Span.Types.SpanKind.Consumer => ActivityKind.Consumer,
        _ => ActivityKind.Internal,
    };

    private static Dictionary<string, object?> Attributes(RepeatedField<KeyValue> attributes)
    {
        var values = new Dictionary<string, object?>(attributes.Count, StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            values[attribute.Key] = ValueOf(attribute.Value);
        }

        return values;
    }

    private static object? ValueOf(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        AnyValue.ValueOneofCase.BytesValue => value.BytesValue.ToByteArray(),
        AnyValue.ValueOneofCase.ArrayValue => value.ArrayValue.Values.Select(ValueOf).ToArray(),
        AnyValue.ValueOneofCase.KvlistValue => Attributes(value.KvlistValue.Values),
        _ => null,
    };
}
