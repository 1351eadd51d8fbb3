using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Predictions.Storage.Sqlite;

/// <summary>
/// Brings a store's tables in a SQLite file to the latest version of its <see cref="StoreSchema"/>, recorded in
/// <see cref="SchemaVersions"/>; a file made before versions were recorded is found at the step it had reached.
/// </summary>
internal static class SqliteSchemaMigrator
{
    /// <summary>
    /// Runs the steps of <paramref name="schema"/> not yet recorded, in order, in one transaction with their
    /// records: the store ends at its latest version or, when a step fails, stays as it was. A failed step is
    /// reported as a <see cref="SqliteException"/> (its code kept) naming the store and the version.
    /// </summary>
    public static async Task MigrateAsync(SqliteConnection connection, StoreSchema schema, ILogger logger)
    {
        // The write lock first (BEGIN IMMEDIATE): a second process starting on the file waits, then finds the work done.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await connection.ExecuteAsync(SchemaVersions.Table, transaction: transaction);
        var recorded = (await connection.QueryAsync<int>(SchemaVersions.Recorded, new { schema.Store }, transaction)).ToHashSet();
        var migrations = schema.MigrationsFor(SqliteProvider.Name);
        SchemaVersions.WarnIfNewer(recorded, schema, migrations, connection.DataSource, logger);

        // Nothing recorded: a new database, or one made before versions were recorded. Every check is made
        // before any step runs, since a step may change what a later step's check would see.
        var present = recorded.Count == 0 ? await PresentAsync(connection, transaction, migrations) : [];
        var ran = new List<int>();
        foreach (var migration in migrations.Where(m => !recorded.Contains(m.Version)))
        {
            if (!present.Contains(migration.Version))
            {
                await RunAsync(connection, transaction, schema, migration);
                ran.Add(migration.Version);
            }

            await connection.ExecuteAsync(SchemaVersions.Record, SchemaVersions.RecordOf(schema, migration), transaction);
        }

        await transaction.CommitAsync();
        if (ran.Count > 0 || present.Count > 0)
        {
            logger.LogInformation(
                "Brought the {Store} schema of {DataSource} to version {Version}: ran steps {Ran}; found steps {Present} already in place",
                schema.Store, connection.DataSource, migrations[^1].Version, Steps(ran), Steps(present.Order()));
        }
    }

    private static string Steps(IEnumerable<int> versions) => versions.Any() ? string.Join(", ", versions) : "none";

    private static async Task<HashSet<int>> PresentAsync(
        SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<SchemaMigration> migrations)
    {
        var present = new HashSet<int>();
        foreach (var migration in migrations.Where(m => m.PresentWhen is not null))
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
