using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Predictions.Worker.Metadata;

/// <summary>
/// Items whose metadata the service kept failing while it answered others, judged within the last
/// <c>Metadata:ItemFailureBudget</c>. A request for one of them whose fetch fails again, while the service still
/// answers others, fails at once rather than waiting a budget of its own: a steady stream of requests for one bad
/// item cannot hold every slot of the worker. An answer for the item forgets it.
/// </summary>
public sealed class FailingItems(IOptions<MetadataOptions> options, TimeProvider clock)
{
    private const int Capacity = 10_000;
    private readonly TimeSpan _memory = options.Value.ItemFailureBudget;
    private readonly ConcurrentDictionary<long, (DateTimeOffset Since, DateTimeOffset JudgedAt)> _items = new();

    /// <summary>Since when the item has been failing, if it was judged failing recently enough to be believed.</summary>
    public DateTimeOffset? Since(long itemId)
    {
        if (!_items.TryGetValue(itemId, out var item))
        {
            return null;
        }

        if (clock.GetUtcNow() - item.JudgedAt < _memory)
        {
            return item.Since;
        }

        _items.TryRemove(KeyValuePair.Create(itemId, item));
        return null;
    }

    /// <summary>A request for the item failed: the service kept failing it from <paramref name="since"/> while it answered others.</summary>
    public void Judged(long itemId, DateTimeOffset since)
    {
        // Bad items are few; should the service break many at once, forgetting them all costs each one budget again.
        if (_items.Count >= Capacity)
        {
            _items.Clear();
        }

        _items[itemId] = (since, clock.GetUtcNow());
    }

    public void Answered(long itemId) => _items.TryRemove(itemId, out _);
}
