using System.Data.Common;

namespace Predictions.Storage;

/// <summary>
/// The one door to the database a store keeps its tables in, whichever engine (<see cref="StoreProvider"/>) it
/// is: reads, writes, the SQL that differs (<see cref="Dialect"/>) and notifications between hosts. Every read and
/// write is bounded by <c>Storage:Timeout</c>, and none starts before every store's schema is at its latest version.
/// </summary>
public abstract class StoreDatabase(TimeSpan timeout) : IAsyncDisposable
{
    private Task? _created;

    public abstract StoreProvider Provider { get; }

    public abstract StoreDialect Dialect { get; }

    /// <summary>Where the data lives, for logs and errors: a file path, or host:port/database (never a password).</summary>
    public abstract string Location { get; }

    /// <summary>How long one read or write may take (<c>Storage:Timeout</c>).</summary>
    public TimeSpan Timeout { get; } = timeout;

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

    /// <summary>An open connection of the pool, opened within <c>Storage:Timeout</c>; the caller disposes it.</summary>
    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        BoundedAsync(async token =>
        {
            await EnsureCreatedAsync().WaitAsync(token);
            return await OpenConnectionAsync(token);
        }, cancellationToken);

    /// <summary>Runs <paramref name="read"/> on a pooled connection, all of it within <c>Storage:Timeout</c>.</summary>
    public Task<T> ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken) =>
        BoundedAsync(async token =>
        {
            await EnsureCreatedAsync().WaitAsync(token);
            await using var connection = await OpenConnectionAsync(token);
            return await read(connection, token);
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> inside a transaction and completes once that transaction is committed, all within
    /// <c>Storage:Timeout</c>. A write that is not <paramref name="durable"/> may be committed without waiting for the
    /// disk flush where the database offers it. Cancelling (or the timeout) withdraws a write the database can still take
    /// back: it never commits, so a caller that gave up knows it left nothing behind. Only a commit already under way
    /// is seen through; should it outlast the timeout, its outcome is unknown, which every store's writes allow for
    /// since each may be run again.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<StoreWrite, Task<T>> work, CancellationToken cancellationToken, bool durable = true)
    {
        // Given up already: not even queued.
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        return BoundedAsync(async token =>
        {
            await EnsureCreatedAsync().WaitAsync(token);
            return await RunWriteAsync(work, durable, token);
        }, cancellationToken);
    }

    /// <summary>
    /// Hears what other hosts send with <see cref="StoreWrite.NotifyAsync"/> on <paramref name="channel"/>, calling
    /// <paramref name="listening"/> each time it starts to listen (anything sent before is missed) and <paramref name="heard"/>
    /// for each payload, until cancelled or the connection fails (it throws). False at once where no other host can
    /// share the database, so there is nothing to hear.
    /// </summary>
    public abstract Task<bool> ListenAsync(string channel, Action<string> heard, Action listening, CancellationToken cancellationToken);

    /// <summary>Takes no more writes, and waits for those already under way.</summary>
    public abstract ValueTask DisposeAsync();

    /// <summary>A new open connection of the pool.</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Runs a write in a transaction of its own, or one shared with other writes, and commits it.</summary>
    protected abstract Task<T> RunWriteAsync<T>(Func<StoreWrite, Task<T>> work, bool durable, CancellationToken cancellationToken);

    /// <summary>Creates what is missing and runs every store's migrations not yet recorded.</summary>
    protected abstract Task CreateSchemaAsync();

    private async Task<T> BoundedAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Timeout);
        try
        {
            return await call(bound.Token);
        }
        catch (Exception ex) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested && ex is not StoreTimeoutException)
        {
            // The time ran out, not the caller's patience: an outage, named as one, whatever the driver threw.
            throw new StoreTimeoutException(Location, Timeout, ex);
        }
    }

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
