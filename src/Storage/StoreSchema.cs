
namespace Predictions.Storage;

/// <summary>
/// A store's tables as the ordered steps that made them: version 1 is the schema as the store first shipped,
/// each later change a step of its own. A shipped step is never edited; a change is a new step.
/// </summary>
public sealed class StoreSchema
{
    public StoreSchema(string store, IReadOnlyList<SchemaMigration> migrations)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(store);

        // A gap or a repeat is a slip in the list: caught when the list is made, not in somebody's database.
        if (migrations.Count == 0 || migrations.Where((migration, i) => migration.Version != i + 1).Any())
        {
            throw new ArgumentException($"The {store} schema's migrations must be numbered 1, 2, 3 and so on, in order.", nameof(migrations));
        }

        Store = store;
        Migrations = migrations;
    }

    /// <summary>The store's name in <c>schema_migrations</c>: fixed once shipped, like a table name.</summary>
    public string Store { get; }

    public IReadOnlyList<SchemaMigration> Migrations { get; }

    public int LatestVersion => Migrations[^1].Version;
}
