using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Predictions.Storage.Sqlite;

/// <summary>
/// The one writer of a SQLite file: a thread of its own, which gathers every write that is waiting into one
/// transaction, so one disk flush commits them all (group commit). SQLite's driver is synchronous, so its "async"
/// calls finish on this thread: no thread-pool thread ever blocks on a flush. Whatever goes wrong fails only the
/// batch it happened in.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private const int MaxWritesPerTransaction = 500;

    private readonly string _connectionString;
    private readonly string _dataSource;
    private readonly ILogger _logger;
    private readonly Channel<QueuedWrite> _writes = Channel.CreateUnbounded<QueuedWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SqliteWriter(string connectionString, string dataSource, ILogger logger)
    {
        _connectionString = connectionString;
        _dataSource = dataSource;
        _logger = logger;
        new Thread(WriteLoop) { IsBackground = true, Name = $"sqlite-writer {Path.GetFileName(dataSource)}" }.Start();
    }

    /// <summary>Queues <paramref name="work"/>; cancelling withdraws it until this thread starts it, then it is seen through.</summary>
    public async Task<T> WriteAsync<T>(Func<StoreWrite, Task<T>> work, bool durable, CancellationToken cancellationToken)
    {
        var write = new QueuedWrite(async store => await work(store), durable);
        if (!_writes.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqliteDatabase), "The database is shutting down and takes no more writes.");
        }

        using (cancellationToken.Register(static (write, token) => ((QueuedWrite)write!).TryWithdraw(token), write))
        {
            return (T)(await write.Done.Task)!;
        }
    }

    /// <summary>Takes no more writes, and waits for those already queued to be committed.</summary>
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _stopped.Task;
    }

    private void WriteLoop()
    {
        SqliteConnection? connection = null;
        var batch = new List<QueuedWrite>();
        try
        {
            while (_writes.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (batch.Count < MaxWritesPerTransaction && _writes.Reader.TryRead(out var write))
                {
                    batch.Add(write);
                }

                // Nobody waits for a withdrawn write: no reason to wait for a lock on its behalf.
                batch.RemoveAll(write => write.IsWithdrawn);
                if (batch.Count == 0)
                {
                    continue;
                }

                try
                {
                    connection ??= Open();
                    Commit(connection, batch);
                }
                catch (Exception ex)
                {
                    // Whatever went wrong fails this batch alone: an exception leaving this thread would end the
                    // process and leave its writers waiting for ever. The next batch starts on a new connection.
                    LogFailedBatch(batch.Count, ex);
                    foreach (var failed in batch)
                    {
                        failed.Done.TrySetException(ex);
                    }

                    connection?.Dispose();
                    connection = null;
                }

                batch.Clear();
            }
        }
        finally
        {
            connection?.Dispose();
            _stopped.TrySetResult();
        }
    }

    private void LogFailedBatch(int writes, Exception exception)
    {
        if (SqliteProvider.Instance.IsUnavailable(exception))
        {
            // The file is locked, unwritable or gone: callers wait the outage out and retry.
            _logger.LogWarning("{Writes} writes to {DataSource} failed and wait to be retried: {Reason}", writes, _dataSource, exception.Message);
        }
        else
        {
            _logger.LogError(exception, "{Writes} writes to {DataSource} failed", writes, _dataSource);
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Commit(SqliteConnection connection, List<QueuedWrite> batch)
    {
        // One flush covers the whole transaction; skip it only when no write in it asks for one.
        using (var synchronous = connection.CreateCommand())
        {
            synchronous.CommandText = batch.Exists(w => w.Durable) ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
            synchronous.ExecuteNonQuery();
        }

        var results = new object?[batch.Count];
        var failures = new Exception?[batch.Count];
        using (var transaction = connection.BeginTransaction())
        {
            for (var i = 0; i < batch.Count; i++)
            {
                // Withdrawn while this transaction waited for the lock: its caller has gone on without it.
                if (!batch[i].TryStart())
                {
                    continue;
                }

                try
                {
                    // SQLite's async calls complete synchronously, so the write is done when this returns.
                    results[i] = batch[i].Work(new SqliteWrite(connection, transaction, CancellationToken.None)).GetAwaiter().GetResult();
                }
                catch (SqliteException ex) when (!SqliteOutageCodes.FailsTransaction(ex.SqliteErrorCode))
                {
                    // One bad write fails alone: SQLite undoes just that statement and the rest commit.
                    // Busy, locked, full or I/O errors are the whole transaction's, and fail it below.
                    failures[i] = ex;
                }
            }

            transaction.Commit();
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                batch[i].Done.TrySetException(failure);
            }
            else
            {
                batch[i].Done.TrySetResult(results[i]);
            }
        }
    }
}
