using MassTransit;
using Microsoft.Data.Sqlite;

namespace Predictions.ServiceDefaults.Storage;

/// <summary>
/// Retries for consumers that write to a SQLite store. A store that is locked, unwritable, full or gone is
/// not the message's fault: its messages wait (unacknowledged, so nothing more is taken beyond the endpoint's
/// concurrency limit and the rest stay in their queue) and are tried again, backing off to 10 s, for as
/// long as the outage lasts; none is moved to the error queue for it. Anything else gets a few quick tries
/// and then goes to the error queue.
/// </summary>
public static class StoreRetry
{
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(10);

    /// <summary>True when the store, not the write, is at fault: SQLite's PERM, BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN, or the file system.</summary>
    public static bool IsStoreUnavailable(Exception exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode is 3 or 5 or 6 or 8 or 10 or 13 or 14,
        IOException or UnauthorizedAccessException => true,
        _ => false,
    };

    public static void UseStoreRetry(this IReceiveEndpointConfigurator endpoint)
    {
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<Exception>(IsStoreUnavailable);
            retry.Intervals(100, 500, 2_000, 5_000);
        });
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(IsStoreUnavailable);
            retry.Exponential(int.MaxValue, TimeSpan.FromMilliseconds(100), MaxInterval, TimeSpan.FromMilliseconds(200));
        });
    }
}
