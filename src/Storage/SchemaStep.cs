
namespace Predictions.Storage;

/// <summary>
/// One step of a store's schema, as each database spells it. A database with no text for a step has it
/// already (an earlier step of its own made that shape), and does not count it: each database numbers the
/// steps it runs 1, 2, 3..., which is how its <c>schema_migrations</c> rows have always been numbered.
/// No statement in a step may return rows: Microsoft.Data.Sqlite reports no error from the statements after
/// one that does, so a failed step would pass unnoticed.
/// </summary>
public sealed record SchemaStep
{
    /// <summary>The keys of the two databases every step has a text for.</summary>
    public const string Sqlite = "sqlite", Postgres = "postgres";

    /// <summary>A step both databases spell the same way.</summary>
    public SchemaStep(int version, string sql)
        : this(version, sqlite: sql, postgres: sql)
    {
    }

    /// <summary>A step spelled for each database; null where that database already has its change.</summary>
    public SchemaStep(int version, string? sqlite, string? postgres)
    {
        Version = version;
        Sql = new Dictionary<string, string?> { [Sqlite] = sqlite, [Postgres] = postgres }
            .Where(text => text.Value is not null)
            .ToDictionary(text => text.Key, text => text.Value!);
    }

    /// <summary>Its place in the store's list.</summary>
    public int Version { get; }

    /// <summary>The step's text per database, by <see cref="StoreProvider.Key"/>.</summary>
    public IReadOnlyDictionary<string, string> Sql { get; init; }

    /// <summary>
    /// For a SQLite file made before the service recorded schema versions: a query that answers non-zero when
    /// this step's change is already there, so the step is recorded as applied instead of run. Only the steps
    /// that shipped before then have one; a later step is never found in such a file.
    /// </summary>
    public string? PresentWhen { get; init; }

    /// <summary>This step spelled for one more database, e.g. <c>step.With("sqlserver", "...")</c>.</summary>
    public SchemaStep With(string database, string sql) =>
        this with { Sql = new Dictionary<string, string>(Sql) { [database] = sql } };
}
