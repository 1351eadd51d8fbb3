using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Predictions.Storage;

/// <summary>
/// The versions applied, as rows of <c>schema_migrations</c>, one per store and version, rather than SQLite's single
/// <c>PRAGMA user_version</c>: one database may hold several stores, each with its own list, and a table reads the
/// same in any SQL database. Every engine's migrator keeps it the same way.
/// </summary>
public static class SchemaVersions
{
    public const string Table = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            store TEXT NOT NULL,
            version INTEGER NOT NULL,
            applied_at TEXT NOT NULL,
            PRIMARY KEY (store, version)
        );
        """;

    public const string Recorded = "SELECT version FROM schema_migrations WHERE store = @Store";

    public const string Record = "INSERT INTO schema_migrations (store, version, applied_at) VALUES (@Store, @Version, @AppliedAt);";

    /// <summary>The parameters of <see cref="Record"/> for <paramref name="migration"/>, applied now.</summary>
    public static object RecordOf(StoreSchema schema, SchemaMigration migration) =>
        new { schema.Store, migration.Version, AppliedAt = StoredTimestamp.Text(DateTimeOffset.UtcNow) };

    /// <summary>A database a newer release migrated is used as it is, with a warning.</summary>
    public static void WarnIfNewer(
        IReadOnlySet<int> recorded, StoreSchema schema, IReadOnlyList<SchemaMigration> migrations, string location, ILogger logger)
    {
        var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (recorded.Count > 0 && recorded.Max() > latest)
        {
            logger.LogWarning(
                "{DataSource} holds version {Version} of the {Store} schema, newer than version {Latest}, the latest this service knows; " +
                "it is used as it is",
                location, recorded.Max(), schema.Store, latest);
        }
    }

    /// <summary>
    /// Runs, in the caller's transaction (which holds the engine's lock), every step the database has not recorded,
    /// recording each, and commits. <paramref name="findPresent"/> names the steps found already in place in a
    /// database that recorded none (one made before versions were recorded); those are recorded, not run.
    /// </summary>
    public static async Task ApplyAsync(
        DbConnection connection,
        DbTransaction transaction,
        StoreSchema schema,
        string engine,
        string location,
        ILogger logger,
        Func<SchemaMigration, Task> run,
        Func<IReadOnlyList<SchemaMigration>, Task<HashSet<int>>>? findPresent = null)
    {
        await connection.ExecuteAsync(Table, transaction: transaction);
        var recorded = (await connection.QueryAsync<int>(Recorded, new { schema.Store }, transaction)).ToHashSet();
        var migrations = schema.MigrationsFor(engine);
        WarnIfNewer(recorded, schema, migrations, location, logger);

        // Every check is made before any step runs, since a step may change what a later step's check would see.
        var present = recorded.Count == 0 && findPresent is not null ? await findPresent(migrations) : [];
        var ran = new List<int>();
        foreach (var migration in migrations.Where(m => !recorded.Contains(m.Version)))
        {
            if (!present.Contains(migration.Version))
            {
                await run(migration);
                ran.Add(migration.Version);
            }

            await connection.ExecuteAsync(Record, RecordOf(schema, migration), transaction);
        }

        await transaction.CommitAsync();
        if (ran.Count > 0 || present.Count > 0)
        {
            logger.LogInformation(
                "Brought the {Store} schema of {DataSource} to version {Version}: ran steps {Ran}; found steps {Present} already in place",
                schema.Store, location, migrations[^1].Version, Steps(ran), Steps(present.Order()));
        }
    }

    private static string Steps(IEnumerable<int> versions) => versions.Any() ? string.Join(", ", versions) : "none";
}
