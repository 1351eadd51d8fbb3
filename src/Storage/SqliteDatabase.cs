using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Predictions.Storage;

/// <summary>
/// One SQLite database file and the schemas of the stores kept in it. Reads open pooled connections on the
/// caller's side (WAL lets them run beside the writer); writes go to the file's one <see cref="SqliteWriter"/>.
/// Neither starts before every store's schema is at its latest version.
/// </summary>
public sealed class SqliteDatabase : StoreDatabase
{
    private readonly string _connectionString;
    private readonly IReadOnlyList<StoreSchema> _schemas;
    private readonly ILogger _logger;
    private readonly SqliteWriter _writer;

    public SqliteDatabase(string connectionString, IReadOnlyList<StoreSchema> schemas, ILogger? logger = null)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        _connectionString = builder.ToString();
        _schemas = schemas;
        _logger = logger ?? NullLogger.Instance;
        DataSource = builder.DataSource;
        _writer = new SqliteWriter(_connectionString, DataSource, _logger);
    }

    public string DataSource { get; }

    public override StoreProvider Provider => StoreProvider.Sqlite;

    public override string Location => DataSource;

    /// <summary>A pooled connection for reading.</summary>
    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
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
    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work, CancellationToken cancellationToken, bool durable = true)
    {
        await EnsureCreatedAsync().WaitAsync(cancellationToken);
        return await _writer.WriteAsync(work, durable, cancellationToken);
    }

    /// <summary>Takes no more writes, and waits for those already queued to be committed.</summary>
    public override ValueTask DisposeAsync() => _writer.DisposeAsync();

    protected override async Task CreateSchemaAsync()
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(DataSource));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        // Its own command: the PRAGMA returns a row, and Microsoft.Data.Sqlite reports no error from the
        // statements after one that returns rows.
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync();
        }

        foreach (var schema in _schemas)
        {
            await SchemaMigrator.MigrateAsync(connection, schema, _logger);
        }
    }
}
