using System.Net;

namespace Predictions.Worker.Metadata;

/// <summary>
/// Whether the metadata service is up: when it last answered an item (with its metadata, or that it has no such
/// item), and which. A cached answer does not count: only what the service says now tells. When an item fails and
/// nothing was answered lately (its requests may be all the worker asks for), the service is asked for the last item
/// it answered, at most once every <see cref="ProbeInterval"/>, outside the retries and the circuit breaker: an
/// answer there tells a failing item from a service that is down.
/// </summary>
public sealed class MetadataServiceHealth(IHttpClientFactory clients, TimeProvider clock, ILogger<MetadataServiceHealth> logger)
{
    /// <summary>The client the probe asks through: the service's address and one attempt's timeout, nothing more.</summary>
    public const string ProbeClient = "metadata-probe";

    /// <summary>How stale the last answer may be before a failing item makes the service be asked.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(5);

    private int _probing;
    private long _lastTicks;
    private long _lastItemId;
    private long _lastProbeTicks;

    public DateTimeOffset? LastAnsweredAt => Volatile.Read(ref _lastTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void Answered(long itemId)
    {
        Volatile.Write(ref _lastItemId, itemId);
        Volatile.Write(ref _lastTicks, clock.GetUtcNow().UtcTicks);
    }

    /// <summary>
    /// <paramref name="failingItem"/> failed: unless the service answered another item lately, or is being asked
    /// already, ask it for the last item it answered. Never throws: a probe that fails simply says nothing.
    /// </summary>
    public async Task ProbeAsync(long failingItem, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var lastItem = Volatile.Read(ref _lastItemId);
        if (LastAnsweredAt is not { } last || now - last < ProbeInterval || lastItem == failingItem
            || now.UtcTicks - Volatile.Read(ref _lastProbeTicks) < ProbeInterval.Ticks || Interlocked.Exchange(ref _probing, 1) == 1)
        {
            return;
        }

        try
        {
            Volatile.Write(ref _lastProbeTicks, now.UtcTicks);
            using var response = await clients.CreateClient(ProbeClient)
                .GetAsync($"items/{lastItem}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound)
            {
                Answered(lastItem);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            logger.LogDebug("The metadata service did not answer item {ItemId} either: {Reason}", lastItem, ex.Message);
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }
}
