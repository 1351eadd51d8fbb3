using Microsoft.Data.Sqlite;
using Npgsql;

namespace Predictions.Storage;

/// <summary>Tells an outage of a store (its file or its server) from a write that is at fault itself.</summary>
public static class StoreOutages
{
    /// <summary>
    /// True when the store, not the write, is at fault: one of <see cref="SqliteOutageCodes"/>, the file
    /// system, or a PostgreSQL outage (<see cref="PostgresOutageStates"/>).
    /// </summary>
    public static bool IsStoreUnavailable(Exception exception) => exception switch
    {
        SqliteException sqlite => SqliteOutageCodes.IsOutage(sqlite.SqliteErrorCode),
        NpgsqlException postgres => PostgresOutageStates.IsOutage(postgres),
        IOException or UnauthorizedAccessException => true,
        _ => false,
    };
}
