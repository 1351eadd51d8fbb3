using Microsoft.Data.Sqlite;

namespace Predictions.ServiceDefaults.Storage;

/// <summary>
/// One SQLite database file: opens connections and creates the schema. WAL lets readers run beside the
/// single writer; the busy timeout makes concurrent writers (several processes may share a file) wait
/// instead of failing.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly string _schema;
    private Task? _created;

    public SqliteDatabase(string connectionString, string schema)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DefaultTimeout < 30)
        {
            builder.DefaultTimeout = 30;
        }

        _connectionString = builder.ToString();
        _schema = schema;
        DataSource = builder.DataSource;
    }

    public string DataSource { get; }

    /// <summary>Creates the folder, the file and the schema if missing. A failed attempt is tried again on the next call.</summary>
    public Task EnsureCreatedAsync()
    {
        var created = _created;
        if (created is null || created.IsFaulted || created.IsCanceled)
        {
            Interlocked.CompareExchange(ref _created, CreateAsync(), created);
        }

        return _created!;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync();
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private async Task CreateAsync()
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(DataSource));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; " + _schema;
        await command.ExecuteNonQueryAsync();
    }
}
