using Predictions.Storage;

namespace Predictions.Tests.Shared.Schemas;

/// <summary>One empty database of one engine, which a schema test migrates and reads directly, as an operator would.</summary>
public abstract class SchemaTestDatabase : IAsyncDisposable
{
    /// <summary>The store database the service would open on it, with only <paramref name="schema"/>.</summary>
    public abstract StoreDatabase Open(StoreSchema schema);

    public abstract Task ExecuteAsync(string sql);

    /// <summary>Each row of <paramref name="sql"/> as its columns' values joined by '|'.</summary>
    public abstract Task<IReadOnlyList<string>> RowsAsync(string sql);

    /// <summary>Every column of the stores' tables (type, nullability, key), sorted, whatever order they were added in.</summary>
    public abstract Task<IReadOnlyList<string>> ShapeAsync();

    /// <summary>Everything a start could change: tables, columns, indexes and the recorded versions.</summary>
    public abstract Task<IReadOnlyList<string>> SchemaAsync();

    /// <summary>The versions of <paramref name="store"/> recorded, in order, each with the time it was applied.</summary>
    public Task<IReadOnlyList<string>> VersionsAsync(string store) =>
        RowsAsync($"SELECT version, applied_at FROM schema_migrations WHERE store = '{store}' ORDER BY version");

    public abstract ValueTask DisposeAsync();
}
