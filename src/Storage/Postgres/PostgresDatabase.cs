using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Predictions.Storage.Postgres;

/// <summary>
/// One PostgreSQL database and the schemas of the stores kept in it, shared by every host that names it.
/// Connections come from one pooled <see cref="NpgsqlDataSource"/>; each write is a transaction of its own
/// on a pooled connection, since the server, not this process, orders writers and groups their flushes.
/// Everything is Npgsql's async API: a stalled server holds no thread, only the calls waiting on it.
/// </summary>
public sealed class PostgresDatabase : StoreDatabase
{
    /// <summary>
    /// Connections per host and database unless the connection string says (<c>Maximum Pool Size</c>): a few hosts
    /// fit in the server's default 100 connections, and more would only queue on the server instead of here.
    /// </summary>
    public const int DefaultMaxPoolSize = 20;

    private readonly NpgsqlDataSource _dataSource;
    private readonly IReadOnlyList<StoreSchema> _schemas;
    private readonly ILogger _logger;

    public PostgresDatabase(string connectionString, IReadOnlyList<StoreSchema> schemas, ILogger? logger = null, TimeSpan? timeout = null)
        : base(timeout ?? new StorageOptions().Timeout)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!ConnectionStringKeys.HasAny(connectionString, "Maximum Pool Size", "MaxPoolSize", "Max Pool Size"))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        // The server gives up on a statement past the bound too, so it holds no lock for a caller that is gone.
        if (!ConnectionStringKeys.HasAny(connectionString, "Command Timeout", "CommandTimeout"))
        {
            builder.CommandTimeout = (int)Math.Ceiling(Timeout.TotalSeconds);
        }

        Location = $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        _dataSource = NpgsqlDataSource.Create(builder);
        _schemas = schemas;
        _logger = logger ?? NullLogger.Instance;
    }

    public override StoreProvider Provider => PostgresProvider.Instance;

    public override StoreDialect Dialect => PostgresProvider.Dialect;

    public override string Location { get; }

    /// <summary>Closes the pool; writes under way keep their connections until they finish.</summary>
    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>LISTEN on a connection of its own for as long as it lives, since LISTEN belongs to the session.</summary>
    public override async Task<bool> ListenAsync(string channel, Action<string> heard, Action listening, CancellationToken cancellationToken)
    {
        await using var connection = (NpgsqlConnection)await OpenAsync(cancellationToken);
        connection.Notification += (_, notification) => heard(notification.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {channel};", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        listening();
        return await PostgresListening.KeepAsync(connection, Timeout, cancellationToken);
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// In a transaction of its own. Every write here is durable: <paramref name="durable"/> is not used, since the
    /// server's own <c>synchronous_commit</c> decides. Until the commit, cancelling rolls the write back (Npgsql cancels
    /// the statement under way); the commit itself is bounded by <c>Storage:Timeout</c> alone.
    /// </summary>
    protected override async Task<T> RunWriteAsync<T>(Func<StoreWrite, Task<T>> work, bool durable, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(new PostgresWrite(connection, transaction, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();

        // From here on the write is seen through: a caller that gave up later finds it done, never half done.
        using var commitBound = new CancellationTokenSource(Timeout);
        try
        {
            await transaction.CommitAsync(commitBound.Token);
        }
        catch (Exception ex) when (commitBound.IsCancellationRequested)
        {
            throw new StoreTimeoutException(Location, Timeout, ex);
        }

        return result;
    }

    protected override async Task CreateSchemaAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        foreach (var schema in _schemas)
        {
            await PostgresSchemaMigrator.MigrateAsync(connection, schema, Location, _logger);
        }
    }
}
