using Predictions.Worker.Metadata;

namespace Predictions.Worker.Tests;

/// <summary>
/// Metadata on cue: the same features for every item, one unknown item, a few transient failures first, an optional
/// wait before each answer; one item the service keeps failing while it answers the rest (it says it answered just
/// now), or a service that is <see cref="Down"/> and answers no one; one item that meets a bug nobody foresaw.
/// </summary>
public sealed class ScriptedMetadataSource(
    IReadOnlyDictionary<string, double> features,
    long? unknownItem = null,
    int transientFailures = 0,
    TimeSpan latency = default,
    long? failingItem = null,
    long? faultItem = null,
    TimeProvider? clock = null) : IMetadataSource
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private int _calls;
    private long _lastAnswerTicks;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Calls made for <c>failingItem</c>.</summary>
    public int FailingItemCalls { get; private set; }

    /// <summary>While true, every call fails as in an outage of the whole service.</summary>
    public bool Down { get; set; }

    public async Task<IReadOnlyDictionary<string, double>> GetAsync(long itemId, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        await Task.Delay(latency, cancellationToken);
        if (Down)
        {
            throw new MetadataUnavailableException("the metadata service is down", serviceAnsweredAt: LastAnswer);
        }

        if (itemId == failingItem)
        {
            FailingItemCalls++;
            throw new MetadataUnavailableException($"the metadata service answered 500 for item {itemId}", serviceAnsweredAt: _clock.GetUtcNow());
        }

        if (itemId == faultItem)
        {
            throw new InvalidOperationException($"a bug nobody foresaw, for item {itemId}");
        }

        if (itemId == unknownItem)
        {
            Answered();
            throw new UnknownItemException(itemId);
        }

        if (call <= transientFailures)
        {
            throw new HttpRequestException("the metadata service is briefly unavailable");
        }

        Answered();
        return features;
    }

    private DateTimeOffset? LastAnswer => Volatile.Read(ref _lastAnswerTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    private void Answered() => Volatile.Write(ref _lastAnswerTicks, _clock.GetUtcNow().UtcTicks);
}
