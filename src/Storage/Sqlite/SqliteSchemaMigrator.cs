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
        await SchemaVersions.ApplyAsync(
            connection, transaction, schema, SqliteProvider.Name, connection.DataSource, logger,
            migration => RunAsync(connection, transaction, schema, migration),
            migrations => PresentAsync(connection, transaction, migrations));
    }

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
