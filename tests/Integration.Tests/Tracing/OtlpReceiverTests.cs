using System.Diagnostics;
using System.Net;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Predictions.Harness;

namespace Predictions.Integration.Tests.Tracing;

/// <summary>The harness's trace receiver against the real OpenTelemetry OTLP exporter, over real HTTP.</summary>
public sealed class OtlpReceiverTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly string[] Letters = ["x", "y"];

    [Fact]
    public async Task A_span_with_a_parent_attributes_a_link_and_a_status_arrives_exactly_as_exported()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var source = new ActivitySource($"Predictions.Tests.{Guid.NewGuid():N}");
        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        Activity parent, child;
        using (var tracing = ExportingTo(receiver, source, "receiver-test"))
        {
            using (parent = source.StartActivity("parent", ActivityKind.Server)!)
            {
                using (child = source.StartActivity("child", ActivityKind.Consumer, parent.Context, links: [new ActivityLink(linked)])!)
                {
                    child.SetTag("text", "words");
                    child.SetTag("whole", 42);
                    child.SetTag("fraction", 0.25);
                    child.SetTag("flag", true);
                    child.SetTag("list", Letters);
                    child.SetStatus(ActivityStatusCode.Error, "broken");
                }
            }

            Assert.True(tracing.ForceFlush(), "the exporter did not flush");
        }

        var spans = await receiver.WaitForAsync(s => s.Count == 2, Timeout);

        var root = Assert.Single(spans, s => s.Name == "parent");
        Assert.True(root.IsRoot);
        Assert.Equal(ActivityKind.Server, root.Kind);
        Assert.Equal(parent.TraceId.ToHexString(), root.TraceId);
        Assert.Equal(parent.SpanId.ToHexString(), root.SpanId);

        var received = Assert.Single(spans, s => s.Name == "child");
        Assert.Equal(child.TraceId.ToHexString(), received.TraceId);
        Assert.Equal(child.SpanId.ToHexString(), received.SpanId);
        Assert.Equal(root.SpanId, received.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, received.Kind);
        Assert.Equal("receiver-test", received.Service);
        Assert.Equal(source.Name, received.Scope);
        Assert.Equal(new Dictionary<string, object?>
        {
            ["text"] = "words",
            ["whole"] = 42L,
            ["fraction"] = 0.25,
            ["flag"] = true,
            ["list"] = new object?[] { "x", "y" },
        }, received.Attributes);
        Assert.Equal([(linked.TraceId.ToHexString(), linked.SpanId.ToHexString())], received.Links);
        Assert.Equal(new DateTimeOffset(child.StartTimeUtc), received.Start);
        Assert.Equal(new DateTimeOffset(child.StartTimeUtc + child.Duration), received.End);
        Assert.Equal(ActivityStatusCode.Error, received.Status);
        Assert.Equal("broken", received.StatusMessage);
        Assert.Equal(2, receiver.SpanCount);
        Assert.True(receiver.RequestCount >= 1);
    }

    [Fact]
    public async Task As_a_sink_it_counts_the_spans_without_keeping_them()
    {
        await using var receiver = await OtlpReceiver.StartAsync(keepSpans: false);
        using var source = new ActivitySource($"Predictions.Tests.{Guid.NewGuid():N}");
        using (var tracing = ExportingTo(receiver, source, "sink-test"))
        {
            for (var i = 0; i < 5; i++)
            {
                source.StartActivity($"span {i}")!.Dispose();
            }

            Assert.True(tracing.ForceFlush(), "the exporter did not flush");
        }

        Assert.Equal(5, receiver.SpanCount);
        Assert.True(receiver.RequestCount >= 1);
        Assert.True(receiver.ByteCount > 0);
        Assert.Empty(receiver.Spans);

        receiver.Reset();
        Assert.Equal((0, 0, 0), (receiver.SpanCount, receiver.RequestCount, receiver.ByteCount));
    }

    [Fact]
    public async Task Waiting_in_vain_fails_with_the_spans_that_did_arrive()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var source = new ActivitySource($"Predictions.Tests.{Guid.NewGuid():N}");
        using (var tracing = ExportingTo(receiver, source, "wait-test"))
        {
            source.StartActivity("the only span")!.Dispose();
            Assert.True(tracing.ForceFlush(), "the exporter did not flush");
        }

        var failure = await Assert.ThrowsAsync<TimeoutException>(() => receiver.WaitForAsync(s => s.Count > 1, TimeSpan.FromMilliseconds(300)));

        Assert.Contains("1 export requests brought 1 spans", failure.Message, StringComparison.Ordinal);
        Assert.Contains("wait-test 'the only span'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_protobuf_is_refused()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var http = new HttpClient();

        using var response = await http.PostAsync(
            $"{receiver.Endpoint}/v1/traces", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, receiver.RequestCount);
    }

    private static TracerProvider ExportingTo(OtlpReceiver receiver, ActivitySource source, string service) =>
        Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(resource => resource.AddService(service))
            .AddSource(source.Name)
            .AddOtlpExporter(otlp =>
            {
                // Set in code, the endpoint is the full URL: the exporter appends /v1/traces only to OTEL_EXPORTER_OTLP_ENDPOINT.
                otlp.Endpoint = new Uri($"{receiver.Endpoint}/v1/traces");
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build();
}
