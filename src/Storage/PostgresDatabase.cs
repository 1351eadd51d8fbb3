using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Predictions.Storage;

/// <summary>
/// One PostgreSQL database and the schemas of the stores kept in it, shared by every host that names it.
/// Connections come from one pooled <see cref="NpgsqlDataSource"/>; each write is a transaction of its own
/// on a pooled connection, since the server, not this process, orders writers and groups their flushes.
/// </summary>
public sealed class PostgresDatabase : StoreDatabase
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IReadOnlyList<StoreSchema> _schemas;
    private readonly ILogger _logger;

    public PostgresDatabase(string connectionString, IReadOnlyList<StoreSchema> schemas, ILogger? logger = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Location = $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        _dataSource = NpgsqlDataSource.Create(builder);
        _schemas = schemas;
        _logger = logger ?? NullLogger.Instance;
    }

    public override StoreProvider Provider => StoreProvider.Postgres;

    public override string Location { get; }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync().WaitAsync(cancellationToken);
        return await _dataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction of its own and commits it. Every write here is durable:
    /// <paramref name="durable"/> is not used, since the server's own <c>synchronous_commit</c> decides, and
    /// a write that may be lost is not worth the difference. Until <paramref name="work"/> starts, cancelling
    /// withdraws the write (nothing ran, nothing was committed); once it starts it is seen through.
    /// </summary>
    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work, CancellationToken cancellationToken, bool durable = true)
    {
        await EnsureCreatedAsync().WaitAsync(cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        // From here on the write is seen through: a caller that gave up later finds it done, never half done.
        var result = work(connection, transaction);
        await transaction.CommitAsync(CancellationToken.None);
        return result;
    }

    /// <summary>Closes the pool; writes under way keep their connections until they finish.</summary>
    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    protected override async Task CreateSchemaAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        foreach (var schema in _schemas)
        {
            await PostgresSchemaMigrator.MigrateAsync(connection, schema, Location, _logger);
        }
    }
}
