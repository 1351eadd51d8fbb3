using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Predictions.Storage;

/// <summary>
/// Brings a store's tables to the latest version of its <see cref="StoreSchema"/>. The versions applied are
/// rows of <c>schema_migrations</c>, one per store and version, rather than SQLite's single
/// <c>PRAGMA user_version</c>: one file may hold several stores (the results file holds the status and the
/// idempotency stores), each with its own list, and a table reads the same in any SQL database.
/// </summary>
internal static class SchemaMigrator
{
    /// <summary>The versions applied, one row per store and version; the same table in SQLite and PostgreSQL.</summary>
    internal const string VersionTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            store TEXT NOT NULL,
            version INTEGER NOT NULL,
            applied_at TEXT NOT NULL,
            PRIMARY KEY (store, version)
        );
        """;

    internal const string Record = "INSERT INTO schema_migrations (store, version, applied_at) VALUES (@Store, @Version, @AppliedAt);";

    /// <summary>
    /// Runs the steps of <paramref name="schema"/> not yet recorded, in order, in one transaction with their
    /// records: the store ends at its latest version or, when a step fails, stays as it was. A failed step is
    /// reported as a <see cref="SqliteException"/> (its code kept) naming the store and the version.
    /// </summary>
    public static async Task MigrateAsync(SqliteConnection connection, StoreSchema schema, ILogger logger)
    {
        // The write lock first (BEGIN IMMEDIATE): a second process starting on the file waits, then finds the work done.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await connection.ExecuteAsync(VersionTable, transaction: transaction);
        var recorded = (await connection.QueryAsync<int>(
            "SELECT version FROM schema_migrations WHERE store = @Store", new { schema.Store }, transaction)).ToHashSet();
        WarnIfNewer(recorded, schema, connection.DataSource, logger);

        // Nothing recorded: a new database, or one made before versions were recorded. Every check is made
        // before any step runs, since a step may change what a later step's check would see.
        var present = recorded.Count == 0 ? await PresentAsync(connection, transaction, schema) : [];
        var ran = new List<int>();
        foreach (var migration in schema.Migrations.Where(m => !recorded.Contains(m.Version)))
        {
            if (!present.Contains(migration.Version))
            {
                await RunAsync(connection, transaction, schema, migration);
                ran.Add(migration.Version);
            }

            await connection.ExecuteAsync(
                Record, new { schema.Store, migration.Version, AppliedAt = StoredTimestamp.Text(DateTimeOffset.UtcNow) }, transaction);
        }

        await transaction.CommitAsync();
        if (ran.Count > 0 || present.Count > 0)
        {
            logger.LogInformation(
                "Brought the {Store} schema of {DataSource} to version {Version}: ran steps {Ran}; found steps {Present} already in place",
                schema.Store, connection.DataSource, schema.LatestVersion, Steps(ran), Steps(present.Order()));
        }
    }

    /// <summary>A database a newer release migrated is used as it is, with a warning.</summary>
    internal static void WarnIfNewer(IReadOnlySet<int> recorded, StoreSchema schema, string location, ILogger logger)
    {
        if (recorded.Count > 0 && recorded.Max() > schema.LatestVersion)
        {
            logger.LogWarning(
                "{DataSource} holds version {Version} of the {Store} schema, newer than version {Latest}, the latest this service knows; it is used as it is",
                location, recorded.Max(), schema.Store, schema.LatestVersion);
        }
    }

    private static string Steps(IEnumerable<int> versions) => versions.Any() ? string.Join(", ", versions) : "none";

    private static async Task<HashSet<int>> PresentAsync(SqliteConnection connection, SqliteTransaction transaction, StoreSchema schema)
    {
        var present = new HashSet<int>();
        foreach (var migration in schema.Migrations.Where(m => m.PresentWhen is not null))
        {
            if (await connection.ExecuteScalarAsync<long>(migration.PresentWhen!, transaction: transaction) != 0)
            {
                present.Add(migration.Version);
            }
        }

        return present;
    }

    private static async Task RunAsync(SqliteConnection connection, SqliteTransaction transaction, StoreSchema schema, SchemaMigration migration)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = migration.Sql;
        try
        {
            await command.ExecuteNonQueryAsync();
        }
        catch (SqliteException ex)
        {
            throw new SqliteException(
                $"Migration {migration.Version} of the {schema.Store} schema failed: {ex.Message}", ex.SqliteErrorCode, ex.SqliteExtendedErrorCode);
        }
    }
}
