using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Predictions.ServiceDefaults.Storage;

/// <summary>
/// One SQLite database file. Reads open pooled connections on the caller's side (WAL lets them run
/// beside the writer). Writes go to a single writer thread of the database's own, which gathers every
/// write that is waiting into one transaction: one disk flush commits them all (group commit), and since
/// SQLite's driver is synchronous, no thread-pool thread ever blocks on a flush.
/// </summary>
public sealed class SqliteDatabase : IAsyncDisposable
{
    private const int MaxWritesPerTransaction = 500;

    private readonly string _connectionString;
    private readonly string _schema;
    private readonly IReadOnlyList<AddedColumn> _addedColumns;
    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _writer;
    private readonly TaskCompletionSource _writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _created;

    private readonly ILogger _logger;

    public SqliteDatabase(string connectionString, string schema, ILogger? logger = null, IReadOnlyList<AddedColumn>? addedColumns = null)
    {
        _addedColumns = addedColumns ?? [];
        _logger = logger ?? NullLogger.Instance;
        var builder = new SqliteConnectionStringBuilder(connectionString);
        _connectionString = builder.ToString();
        _schema = schema;
        DataSource = builder.DataSource;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = $"sqlite-writer {Path.GetFileName(DataSource)}" };
        _writer.Start();
    }

    public string DataSource { get; }

    /// <summary>
    /// Creates the folder, the file and the schema if missing. Callers at the same time share one attempt;
    /// a failed attempt is tried again on the next call.
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
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync().WaitAsync(cancellationToken);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the writer thread inside a transaction shared with the other writes
    /// waiting then, and completes once that transaction is committed: the write is on disk. A write that
    /// is not <paramref name="durable"/> is committed without waiting for the disk flush: visible at once
    /// and safe from a process crash, lost only if the machine itself fails before the next flush.
    /// Cancelling withdraws a write that has not started yet (it waits behind others, or for a lock another
    /// process holds): it never runs, so a caller that gave up knows it left nothing behind. A write already
    /// running is seen through, and its outcome returned.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken, bool durable = true)
    {
        await EnsureCreatedAsync().WaitAsync(cancellationToken);
        var write = new Write((connection, transaction) => work(connection, transaction), durable);
        if (!_writes.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqliteDatabase), "The database is shutting down and takes no more writes.");
        }

        using (cancellationToken.Register(static (write, token) => ((Write)write!).TryWithdraw(token), write))
        {
            return (T)(await write.Done.Task)!;
        }
    }

    /// <summary>Takes no more writes, and waits for those already queued to be committed.</summary>
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writerStopped.Task;
    }

    private void WriteLoop()
    {
        SqliteConnection? connection = null;
        var batch = new List<Write>();
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
            _writerStopped.TrySetResult();
        }
    }

    private void LogFailedBatch(int writes, Exception exception)
    {
        if (StoreRetry.IsStoreUnavailable(exception))
        {
            // The file is locked, unwritable or gone: callers wait the outage out and retry.
            _logger.LogWarning("{Writes} writes to {DataSource} failed and wait to be retried: {Reason}", writes, DataSource, exception.Message);
        }
        else
        {
            _logger.LogError(exception, "{Writes} writes to {DataSource} failed", writes, DataSource);
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Commit(SqliteConnection connection, List<Write> batch)
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
                    results[i] = batch[i].Work(connection, transaction);
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

    private async Task CreateSchemaAsync()
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(DataSource));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        // Each its own command: the PRAGMA returns a row, and Microsoft.Data.Sqlite reports no error from the
        // statements after one that returns rows, so a schema that failed would pass unnoticed.
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = _schema;
        await command.ExecuteNonQueryAsync();
        foreach (var column in _addedColumns)
        {
            await AddColumnAsync(connection, column);
        }
    }

    private static async Task AddColumnAsync(SqliteConnection connection, AddedColumn column)
    {
        await using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM pragma_table_info(@table) WHERE name = @name;";
        exists.Parameters.AddWithValue("@table", column.Table);
        exists.Parameters.AddWithValue("@name", column.Name);
        if ((long)(await exists.ExecuteScalarAsync())! > 0)
        {
            return;
        }

        await using var add = connection.CreateCommand();
        add.CommandText = $"ALTER TABLE {column.Table} ADD COLUMN {column.Name} {column.Definition};";
        try
        {
            await add.ExecuteNonQueryAsync();
        }
        catch (SqliteException ex) when (ex.Message.Contains("duplicate column name", StringComparison.Ordinal))
        {
            // Another process sharing the file added it first.
        }
    }

    private sealed class Write(Func<SqliteConnection, SqliteTransaction, object?> work, bool durable)
    {
        private const int Waiting = 0, Started = 1, Withdrawn = 2;

        // Its caller and the writer thread race to move it out of Waiting: exactly one of them wins.
        private int _state = Waiting;

        public Func<SqliteConnection, SqliteTransaction, object?> Work { get; } = work;

        public bool Durable { get; } = durable;

        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsWithdrawn => Volatile.Read(ref _state) == Withdrawn;

        /// <summary>Called by the writer thread just before it runs the work: false if the caller withdrew it first.</summary>
        public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Waiting) == Waiting;

        public void TryWithdraw(CancellationToken cancellationToken)
        {
            if (Interlocked.CompareExchange(ref _state, Withdrawn, Waiting) == Waiting)
            {
                Done.TrySetCanceled(cancellationToken);
            }
        }
    }
}
