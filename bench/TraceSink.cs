using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Predictions.Bench;

/// <summary>
/// An OTLP/HTTP receiver that only counts: <c>POST /v1/traces</c> is read to its end and answered 200 with
/// an empty body (an empty export response), never decoded, so that receiving costs the bench client little.
/// </summary>
public sealed class TraceSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _requests;
    private long _bytes;
    private long _lastReceivedAt = Environment.TickCount64;

    private TraceSink(WebApplication app) => _app = app;

    /// <summary>The base address for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, on 127.0.0.1.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Export requests and bytes received since the last <see cref="Reset"/>.</summary>
    public (long Requests, long Bytes) Received => (Interlocked.Read(ref _requests), Interlocked.Read(ref _bytes));

    public static async Task<TraceSink> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var sink = new TraceSink(app);
        app.Run(sink.ReceiveAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        sink.Address = new Uri(address);
        return sink;
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _bytes, 0);
    }

    /// <summary>
    /// Waits until nothing has arrived for <paramref name="quiet"/>, at most <paramref name="limit"/>: the
    /// exporters send what they hold in batches, so the spans of what just ran arrive some seconds later.
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != "/v1/traces")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long bytes = 0;
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                bytes += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Exchange(ref _lastReceivedAt, Environment.TickCount64);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
        context.Response.ContentLength = 0;
    }
}
