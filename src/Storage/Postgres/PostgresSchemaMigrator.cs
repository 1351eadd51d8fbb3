using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Predictions.Storage.Postgres;

/// <summary>
/// Brings a store's tables in a PostgreSQL database to the latest version of its <see cref="StoreSchema"/>,
/// recorded in <see cref="SchemaVersions"/>. A PostgreSQL database was never made before versions were recorded,
/// so there is nothing of that kind to find. Hosts starting at once on the
/// same database take turns: each store migrates in one transaction under a transaction-scoped advisory lock.
/// </summary>
internal static class PostgresSchemaMigrator
{
    // Any fixed number will do, as long as every host uses the same one: it names the migrations lock.
    private const long MigrationLock = 0x5072_6564_6963_7473; // "Predicts"

    /// <summary>
    /// Runs the steps of <paramref name="schema"/> not yet recorded, in order, in one transaction with their
    /// records. A failed step is reported as a <see cref="PostgresException"/> (its SQL state kept) naming
    /// the store and the version; the store stays as it was.
    /// </summary>
    public static async Task MigrateAsync(NpgsqlConnection connection, StoreSchema schema, string location, ILogger logger)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        // The lock first, even before the version table: two hosts creating it at once would collide.
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@MigrationLock)", new { MigrationLock }, transaction);
        await SchemaVersions.ApplyAsync(
            connection, transaction, schema, PostgresProvider.Name, location, logger,
            migration => RunAsync(connection, transaction, schema, migration));
    }

    private static async Task RunAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, StoreSchema schema, SchemaMigration migration)
    {
        await using var command = new NpgsqlCommand(migration.Sql, connection, transaction);
        try
        {
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException ex)
        {
            throw new PostgresException(
                $"Migration {migration.Version} of the {schema.Store} schema failed: {ex.MessageText}",
                ex.Severity, ex.InvariantSeverity, ex.SqlState);
        }
    }
}
