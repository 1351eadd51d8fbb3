using System.Data.Common;

namespace Predictions.Storage;

/// <summary>
/// The database a store keeps its tables in: a SQLite file (<see cref="SqliteDatabase"/>) or a PostgreSQL
/// database (<see cref="PostgresDatabase"/>). The stores write their SQL against this and run on either.
/// Neither reads nor writes start before every store's schema is at its latest version.
/// </summary>
public abstract class StoreDatabase : IAsyncDisposable
{
    private Task? _created;

    public abstract StoreProvider Provider { get; }

    /// <summary>Where the data lives, for logs and errors: a file path, or host:port/database (never a password).</summary>
    public abstract string Location { get; }

    /// <summary>
    /// Brings each store's schema to its latest version (creating the file or tables first if missing).
    /// Callers at the same time share one attempt; a failed attempt is tried again on the next call.
    /// </summary>
    public Task EnsureCreatedAsync()
    {
        var created = _created;
        if (created is { IsFaulted: false, IsCanceled: false })
        {
            return created;
        }

        // Claim the attempt before starting it, so a caller that loses the race joins the winner's attempt.
        var attempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var current = Interlocked.CompareExchange(ref _created, attempt.Task, created);
        if (current != created)
        {
            return current!;
        }

        _ = CreateAsync(attempt);
        return attempt.Task;
    }

    /// <summary>A pooled connection for reading.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> inside a transaction and completes once that transaction is committed.
    /// A write that is not <paramref name="durable"/> may be committed without waiting for the disk flush
    /// where the provider offers it. Cancelling withdraws a write that has not started yet: it never runs,
    /// so a caller that gave up knows it left nothing behind. A write already running is seen through, and
    /// its outcome returned.
    /// </summary>
    public abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work, CancellationToken cancellationToken, bool durable = true);

    /// <summary>Takes no more writes, and waits for those already under way.</summary>
    public abstract ValueTask DisposeAsync();

    /// <summary>Creates what is missing and runs every store's migrations not yet recorded.</summary>
    protected abstract Task CreateSchemaAsync();

    private async Task CreateAsync(TaskCompletionSource attempt)
    {
        try
        {
            await CreateSchemaAsync();
            attempt.SetResult();
        }
        catch (Exception ex)
        {
            attempt.SetException(ex);
        }
    }
}
