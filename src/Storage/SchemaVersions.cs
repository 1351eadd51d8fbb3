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
}
