using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Metadata;

/// <summary>
/// Item metadata from <c>GET {Metadata:BaseUrl}/items/{itemId}</c>: a JSON object whose numeric values are
/// the item's features (other values are ignored). Retries, timeouts and the circuit breaker live in the
/// client's resilience handler; answers are cached for <c>Metadata:CacheDuration</c>, and concurrent
/// requests for one item share one fetch. A 404 is an unknown item, a number no double holds is unreadable metadata;
/// anything else that is not an answer is unavailable metadata (<see cref="MetadataUnavailableException"/>), which says
/// when the service last answered an item (<see cref="MetadataServiceHealth"/>) and whether its circuit is open.
/// </summary>
public sealed class HttpMetadataSource(
    HttpClient http, HybridCache cache, MetadataServiceHealth health, IOptions<MetadataOptions> options) : IMetadataSource
{
    private readonly HybridCacheEntryOptions? _cacheEntry = options.Value.CacheDuration > TimeSpan.Zero
        ? new HybridCacheEntryOptions { Expiration = options.Value.CacheDuration, LocalCacheExpiration = options.Value.CacheDuration }
        : null;

    public async Task<IReadOnlyDictionary<string, double>> GetAsync(long itemId, CancellationToken cancellationToken)
    {
        if (_cacheEntry is null)
        {
            WorkerTracing.MetadataCache(hit: false);
            return await FetchAsync(itemId, cancellationToken);
        }

        // The factory runs only when this call is the one that fetches: otherwise the answer came from the cache (or
        // from the same item's fetch already under way).
        var fetched = new StrongBox<bool>();
        var metadata = await cache.GetOrCreateAsync(
            $"item-metadata:{itemId}",
            (Source: this, ItemId: itemId, Fetched: fetched),
            static async (state, token) =>
            {
                state.Fetched.Value = true;
                return await state.Source.FetchAsync(state.ItemId, token);
            },
            _cacheEntry,
            cancellationToken: cancellationToken);
        WorkerTracing.MetadataCache(hit: !fetched.Value);
        return metadata;
    }

    private async Task<Dictionary<string, double>> FetchAsync(long itemId, CancellationToken cancellationToken)
    {
        string failure;
        Exception? cause = null;
        try
        {
            using var response = await http.GetAsync($"items/{itemId}", cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                health.Answered(itemId);
                throw new UnknownItemException(itemId);
            }

            if (response.IsSuccessStatusCode)
            {
                using var document = await JsonDocument.ParseAsync(
                    await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    health.Answered(itemId);
                    return Features(itemId, document.RootElement);
                }

                failure = $"the metadata service answered item {itemId} with JSON that is not an object";
            }
            else
            {
                failure = $"the metadata service answered {(int)response.StatusCode} {response.ReasonPhrase} for item {itemId}";
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
            && ex is HttpRequestException or ExecutionRejectedException or OperationCanceledException or JsonException)
        {
            (failure, cause) = ($"the metadata service at {http.BaseAddress} is unavailable: {ex.Message}", ex);
        }

        // Whether the service answers other items tells a failing item from an outage: find out, if nobody did lately.
        await health.ProbeAsync(itemId, cancellationToken);
        throw new MetadataUnavailableException(failure, cause, health.LastAnsweredAt, circuitOpen: cause is BrokenCircuitException);
    }

    /// <summary>The object's numeric values; one that no double holds (1e400, say) makes the item's metadata unreadable.</summary>
    private static Dictionary<string, double> Features(long itemId, JsonElement item)
    {
        var features = new Dictionary<string, double>();
        foreach (var property in item.EnumerateObject().Where(property => property.Value.ValueKind == JsonValueKind.Number))
        {
            if (!property.Value.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                var raw = property.Value.GetRawText();
                throw new UnreadableMetadataException(itemId, property.Name, raw.Length > 40 ? raw[..40] + "…" : raw);
            }

            features[property.Name] = value;
        }

        return features;
    }
}
