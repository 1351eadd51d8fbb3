using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Predictions.Harness;

/// <summary>
/// A real HTTP metadata service on loopback, <c>GET /items/{itemId}</c>, with knobs for the faults a
/// worker must survive: latency, an outage (503 for every request), the first requests failing, items it
/// does not know (404), items it always fails (500) while it answers the rest, and items answered with
/// whatever JSON a test gives. It counts the requests each item received.
/// </summary>
public sealed class MetadataServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<long, int> _requests = new();
    private int _failuresLeft;
    private volatile bool _outage;
    private long _latencyTicks;

    private MetadataServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Items answered with 404.</summary>
    public ConcurrentDictionary<long, bool> UnknownItems { get; } = new();

    /// <summary>Items answered with these features instead of <see cref="FeaturesOf"/>.</summary>
    public ConcurrentDictionary<long, IReadOnlyDictionary<string, double>> Items { get; } = new();

    /// <summary>Items answered with this JSON text as it is, whatever it holds.</summary>
    public ConcurrentDictionary<long, string> RawItems { get; } = new();

    /// <summary>Items answered 500 every time while the others are answered as usual: a bad row on the service's side.</summary>
    public ConcurrentDictionary<long, bool> FailingItems { get; } = new();

    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    /// <summary>While true, every request is answered 503.</summary>
    public bool Outage
    {
        get => _outage;
        set => _outage = value;
    }

    public int TotalRequests => _requests.Values.Sum();

    public static async Task<MetadataServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new MetadataServer(app);
        app.MapGet("/items/{itemId:long}", server.AnswerAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address + "/");
        return server;
    }

    /// <summary>The next <paramref name="count"/> requests are answered 503.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    public int RequestsFor(long itemId) => _requests.GetValueOrDefault(itemId);

    /// <summary>The features this server gives an item: numbers derived from its id, and a name the worker ignores.</summary>
    public static Dictionary<string, double> FeaturesOf(long itemId) => new()
    {
        ["category"] = itemId % 12,
        ["price"] = 5 + (itemId * 7919 % 9500 / 100.0),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> AnswerAsync(long itemId, CancellationToken cancellationToken)
    {
        _requests.AddOrUpdate(itemId, 1, (_, n) => n + 1);
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        if (_outage || Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        if (FailingItems.ContainsKey(itemId))
        {
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }

        if (RawItems.TryGetValue(itemId, out var raw))
        {
            return Results.Text(raw, "application/json");
        }

        return UnknownItems.ContainsKey(itemId)
            ? Results.NotFound()
            : Results.Json(new Dictionary<string, object>(
                (Items.TryGetValue(itemId, out var features) ? features : FeaturesOf(itemId))
                    .Select(f => KeyValuePair.Create(f.Key, (object)f.Value)))
            {
                ["name"] = $"item {itemId}",
            });
    }
}
