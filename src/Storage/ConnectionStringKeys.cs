using System.Data.Common;
using System.Globalization;

namespace Predictions.Storage;

/// <summary>Reads a connection string's keys without knowing its driver, so a provider can tell its own.</summary>
public static class ConnectionStringKeys
{
    /// <summary>True when <paramref name="connectionString"/> parses and gives any of <paramref name="keys"/> a value.</summary>
    public static bool HasAny(string connectionString, params string[] keys)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            return false;
        }

        return keys.Any(key =>
            builder.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(Convert.ToString(value, CultureInfo.InvariantCulture)));
    }
}
