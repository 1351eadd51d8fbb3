using System.Data.Common;

namespace Predictions.Storage;

/// <summary>
/// Which database a store's connection string names: one with a <c>Host</c> key (Npgsql's form) is
/// PostgreSQL, one with a <c>Data Source</c> is a SQLite file. Anything else names neither.
/// </summary>
public static class StoreConnectionString
{
    // SQLite's driver takes these three for the file; Npgsql calls the server Host.
    private static readonly string[] SqliteKeys = ["Data Source", "DataSource", "Filename"];

    /// <summary>The provider <paramref name="connectionString"/> names, or null when it names none.</summary>
    public static StoreProvider? ProviderOf(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }

        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            return null;
        }

        if (HasValue(builder, "Host"))
        {
            return StoreProvider.Postgres;
        }

        return SqliteKeys.Any(key => HasValue(builder, key)) ? StoreProvider.Sqlite : null;
    }

    private static bool HasValue(DbConnectionStringBuilder builder, string key) =>
        builder.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
}
