
namespace Predictions.Storage;

/// <summary>The database engines a store runs on; <see cref="StoreConnectionString"/> tells which one a setting names.</summary>
public enum StoreProvider
{
    Sqlite,
    Postgres,
}

public static class StoreProviderExtensions
{
    /// <summary>The collation that compares text byte by byte, as SQLite does by default; empty where that is the default.</summary>
    public static string BytewiseCollation(this StoreProvider provider) => provider == StoreProvider.Postgres ? "COLLATE \"C\"" : "";
}
