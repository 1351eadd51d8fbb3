using Predictions.Worker.Metadata;

namespace Predictions.Worker.Tests;

/// <summary>
/// Metadata on cue: the same features for every item, one unknown item, a few transient failures first,
/// an optional wait before each answer.
/// </summary>
public sealed class ScriptedMetadataSource(
    IReadOnlyDictionary<string, double> features,
    long? unknownItem = null,
    int transientFailures = 0,
    TimeSpan latency = default) : IMetadataSource
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public async Task<IReadOnlyDictionary<string, double>> GetAsync(long itemId, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        await Task.Delay(latency, cancellationToken);
        if (itemId == unknownItem)
        {
            throw new UnknownItemException(itemId);
        }

        if (call <= transientFailures)
        {
            throw new HttpRequestException("the metadata service is briefly unavailable");
        }

        return features;
    }
}
