using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Predictions.Storage.Sqlite;

/// <summary>
/// One SQLite database file and the schemas of the stores kept in it. Reads open pooled connections on the
/// caller's side (WAL lets them run beside the writer); writes go to the file's one <see cref="SqliteWriter"/>.
/// </summary>
public sealed class SqliteDatabase : StoreDatabase
{
    private readonly string _connectionString;
    private readonly IReadOnlyList<StoreSchema> _schemas;
    private readonly ILogger _logger;
    private readonly SqliteWriter _writer;

    public SqliteDatabase(string connectionString, IReadOnlyList<StoreSchema> schemas, ILogger? logger = null, TimeSpan? timeout = null)
        : base(timeout ?? new StorageOptions().Timeout)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);

        // How long a statement waits for another process's lock: within the bound of the whole call, unless the setting says.
        if (!ConnectionStringKeys.HasAny(connectionString, "Default Timeout", "DefaultTimeout", "Command Timeout", "CommandTimeout"))
        {
            builder.DefaultTimeout = (int)Math.Ceiling(Timeout.TotalSeconds);
        }

        _connectionString = builder.ToString();
        _schemas = schemas;
        _logger = logger ?? NullLogger.Instance;
        DataSource = builder.DataSource;
        _writer = new SqliteWriter(_connectionString, DataSource, _logger);
    }

    public string DataSource { get; }

    public override StoreProvider Provider => SqliteProvider.Instance;

    public override StoreDialect Dialect => SqliteProvider.Dialect;

    public override string Location => DataSource;

    // Nobody else writes to the file: the writer of an outcome wakes its own waiters.
    public override Task<bool> ListenAsync(string channel, Action<string> heard, Action listening, CancellationToken cancellationToken) =>
        Task.FromResult(false);

    /// <summary>Takes no more writes, and waits for those already queued to be committed.</summary>
    public override ValueTask DisposeAsync() => _writer.DisposeAsync();

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// On the writer thread, inside a transaction shared with the other writes waiting then; done once that transaction
    /// is committed. A write that is not <paramref name="durable"/> is committed without waiting for the disk flush:
    /// visible at once and safe from a process crash, lost only if the machine itself fails before the next flush.
    /// Cancelling withdraws a write that has not started yet (it waits behind others, or for another process's lock).
    /// </summary>
    protected override Task<T> RunWriteAsync<T>(Func<StoreWrite, Task<T>> work, bool durable, CancellationToken cancellationToken) =>
        _writer.WriteAsync(work, durable, cancellationToken);

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
            await SqliteSchemaMigrator.MigrateAsync(connection, schema, _logger);
        }
    }
}
