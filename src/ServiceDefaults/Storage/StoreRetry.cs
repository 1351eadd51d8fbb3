using MassTransit;
using Microsoft.Data.Sqlite;
using Npgsql;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.ServiceDefaults.Storage;

/// <summary>
/// What consumers that write to a store do when the write fails. A SQLite file that is locked, unwritable, full or
/// gone, or a PostgreSQL server that is stopped, unreachable or refusing connections, is an outage
/// (<see cref="IsStoreUnavailable"/>), which the consumer waits out (<see cref="OutageWait"/>) for up to
/// <c>Outages:MaxWait</c> per delivery and for as many deliveries as it lasts (<see cref="OutageReturn"/>). An outage
/// of a store is the store's as a whole (a file, a server), never one message's, so no message is failed for it.
/// Anything else gets a few quick tries and then goes to the error queue.
/// </summary>
public static class StoreRetry
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

    public static void UseStoreRetry(this IReceiveEndpointConfigurator endpoint)
    {
        endpoint.UseOutageReturns();
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<OutageReturnRefusedException>();
            retry.Intervals(100, 500, 2_000, 5_000);
        });
    }
}
