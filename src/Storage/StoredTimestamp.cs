using System.Globalization;

namespace Predictions.Storage;

/// <summary>How the stores keep a moment in a text column.</summary>
public static class StoredTimestamp
{
    /// <summary>ISO 8601 in UTC: sorts as text, compares as text, and reads plainly in any SQL shell.</summary>
    public static string? Text(DateTimeOffset? value) => value?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
