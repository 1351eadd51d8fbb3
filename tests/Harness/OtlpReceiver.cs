using System.Diagnostics;
using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Predictions.Harness.Otlp;

namespace Predictions.Harness;

/// <summary>
/// An OTLP/HTTP trace receiver on loopback, <c>POST /v1/traces</c> with a protobuf body, as a collector
/// would serve it: point <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> at <see cref="Endpoint"/> with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>. It keeps every span it receives, or, started
/// with <c>keepSpans: false</c> as the bench's sink, only counts them.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private const string Protobuf = "application/x-protobuf";
    private const int SpansInFailureMessage = 200;
    private readonly WebApplication _app;
    private readonly bool _keepSpans;
    private readonly List<ReceivedSpan> _spans = [];
    private long _requestCount;
    private long _spanCount;
    private long _byteCount;
    private long _lastReceivedAt = Environment.TickCount64;

    private OtlpReceiver(WebApplication app, bool keepSpans)
    {
        _app = app;
        _keepSpans = keepSpans;
    }

    /// <summary>The base address for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: <c>http://127.0.0.1:PORT</c>.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>Export requests decoded so far.</summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);

    /// <summary>Spans received so far, kept or not.</summary>
    public long SpanCount => Interlocked.Read(ref _spanCount);

    /// <summary>Bytes of export requests received so far, as sent (compressed or not).</summary>
    public long ByteCount => Interlocked.Read(ref _byteCount);

    /// <summary>A snapshot of the spans received so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedSpan> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    public static async Task<OtlpReceiver> StartAsync(bool keepSpans = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, keepSpans);
        app.MapPost("/v1/traces", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return receiver;
    }

    /// <summary>
    /// Polls the received spans until <paramref name="until"/> holds for them and returns them; past the
    /// deadline it fails with every span received.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> until, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var spans = Spans;
            if (until(spans))
            {
                return spans;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"The spans received did not meet the condition within {timeout.TotalSeconds:0.#} s. {Describe(spans)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Starts the counts again from zero (the kept spans stay).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _requestCount, 0);
        Interlocked.Exchange(ref _spanCount, 0);
        Interlocked.Exchange(ref _byteCount, 0);
    }

    /// <summary>
    /// Waits until nothing has arrived for <paramref name="quiet"/>, at most <paramref name="limit"/>; false when
    /// exports still arrived at the limit. The exporters send what they hold in batches, so the spans of what just
    /// ran arrive some seconds later.
    /// </summary>
    public async Task<bool> WaitQuietAsync(TimeSpan quiet, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        while (Environment.TickCount64 - Interlocked.Read(ref _lastReceivedAt) < quiet.TotalMilliseconds)
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        return true;
    }

    /// <summary>What the receiver got, one span a line, for failure messages.</summary>
    public string Describe() => Describe(Spans);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private string Describe(IReadOnlyList<ReceivedSpan> spans) =>
        $"{RequestCount} export requests brought {SpanCount} spans"
        + (spans.Count > SpansInFailureMessage ? $"; the last {SpansInFailureMessage}:\n" : ":\n")
        + string.Join('\n', spans.TakeLast(SpansInFailureMessage));

    private async Task<IResult> ReceiveAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentType?.StartsWith(Protobuf, StringComparison.OrdinalIgnoreCase) != true)
        {
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        }

        // As sent, so the byte count is what crossed the wire; then decompressed if it came gzipped.
        var body = new MemoryStream(checked((int)(request.ContentLength ?? 4096)));
        await request.Body.CopyToAsync(body, cancellationToken);
        var sent = body.Length;
        if (request.Headers.ContentEncoding == "gzip")
        {
            body.Position = 0;
            var inflated = new MemoryStream();
            await using (var gzip = new GZipStream(body, CompressionMode.Decompress))
            {
                await gzip.CopyToAsync(inflated, cancellationToken);
            }

            body = inflated;
        }

        ExportTraceServiceRequest export;
        try
        {
            export = OtlpSpanDecoder.Parse(body.GetBuffer().AsSpan(0, (int)body.Length));
        }
        catch (InvalidProtocolBufferException ex)
        {
            return Results.BadRequest(ex.Message);
        }

        if (_keepSpans)
        {
            var spans = OtlpSpanDecoder.Decode(export).ToList();
            lock (_spans)
            {
                _spans.AddRange(spans);
            }
        }

        Interlocked.Add(ref _spanCount, OtlpSpanDecoder.CountSpans(export));
        Interlocked.Add(ref _byteCount, sent);
        Interlocked.Increment(ref _requestCount);
        Interlocked.Exchange(ref _lastReceivedAt, Environment.TickCount64);

        // An empty ExportTraceServiceResponse: every span accepted.
        return Results.Bytes([], Protobuf);
    }
}
