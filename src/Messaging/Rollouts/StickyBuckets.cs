using System.Text;

namespace Predictions.Messaging.Rollouts;

/// <summary>
/// Where a sticky key falls among 10,000 buckets, the same in every process and every release (FNV-1a, 64 bits): the same
/// caller lands in the same share while the split stays as it is. The salt keeps a canary's and a shadow's shares apart.
/// </summary>
public static class StickyBuckets
{
    public const int Count = 10_000;

    public static int Of(string salt, string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes($"{salt}\n{key}"))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        // The high bits of FNV mix best.
        return (int)((hash >> 17) % Count);
    }

    /// <summary>Whether <paramref name="key"/> is in the first <paramref name="percent"/> of the buckets.</summary>
    public static bool Within(string salt, string key, double percent) => Of(salt, key) < percent * (Count / 100);
}
