namespace Predictions.Storage;

/// <summary>
/// A store's tables as the ordered steps that made them, each spelled for every database side by side:
/// version 1 is the schema as the store first shipped, each later change a step of its own. A shipped step
/// is never edited; a change is a new step.
/// </summary>
public sealed class StoreSchema
{
    public StoreSchema(string store, IReadOnlyList<SchemaStep> steps)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(store);

        // A gap or a repeat is a slip in the list: caught when the list is made, not in somebody's database.
        if (steps.Count == 0 || steps.Where((step, i) => step.Version != i + 1).Any())
        {
            throw new ArgumentException($"The {store} schema's steps must be numbered 1, 2, 3 and so on, in order.", nameof(steps));
        }

        Store = store;
        Steps = steps;
    }

    /// <summary>The store's name in <c>schema_migrations</c>: fixed once shipped, like a table name.</summary>
    public string Store { get; }

    public IReadOnlyList<SchemaStep> Steps { get; }

    public int LatestVersion => Steps[^1].Version;

    /// <summary>
    /// The steps <paramref name="database"/> runs, numbered as it records them: 1, 2, 3... among those it has
    /// text for. Fails, naming the step, when a database has no text for the first step, which makes the tables.
    /// </summary>
    public IReadOnlyList<SchemaMigration> MigrationsFor(string database)
    {
        if (!Steps[0].Sql.ContainsKey(database))
        {
            throw new InvalidOperationException(
                $"The {Store} schema has no step 1 for {database}: every database needs the step that makes its tables.");
        }

        return [.. Steps.Where(step => step.Sql.ContainsKey(database))
            .Select((step, i) => new SchemaMigration(i + 1, step.Sql[database], step.PresentWhen))];
    }
}
