
namespace Predictions.Storage;

/// <summary>
/// One step of a store's schema: plain SQL, run once, in the same transaction as the record that it ran. No
/// statement in it may return rows: Microsoft.Data.Sqlite reports no error from the statements after one that
/// does, so a failed step would pass unnoticed.
/// </summary>
public sealed record SchemaMigration(int Version, string Sql)
{
    /// <summary>
    /// For a database made before the service recorded schema versions: a query that answers non-zero when
    /// this step's change is already there, so the step is recorded as applied instead of run. Only the steps
    /// that shipped before then have one; a later step is never found in such a database.
    /// </summary>
    public string? PresentWhen { get; init; }
}
