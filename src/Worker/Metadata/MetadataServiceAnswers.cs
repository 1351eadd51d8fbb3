namespace Predictions.Worker.Metadata;

/// <summary>
/// When the metadata service last answered an item: with its metadata, or that it has no such item. A cached answer
/// does not count: only what the service says now tells whether it is up.
/// </summary>
public sealed class MetadataServiceAnswers(TimeProvider clock)
{
    private long _lastTicks;

    public DateTimeOffset? LastAt => Volatile.Read(ref _lastTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void Record() => Volatile.Write(ref _lastTicks, clock.GetUtcNow().UtcTicks);
}
