using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Sqlite;

namespace Predictions.Tests.Shared.Schemas;

/// <summary>A new SQLite file in <paramref name="folder"/>, which the test class deletes.</summary>
public sealed class SqliteSchemaTestDatabase(string folder) : SchemaTestDatabase
{
    public string Path { get; } = System.IO.Path.Combine(folder, $"{Guid.NewGuid():N}.db");

    public override StoreDatabase Open(StoreSchema schema) => new SqliteDatabase($"Data Source={Path}", [schema]);

    public override Task ExecuteAsync(string sql) => SqliteFile.ExecuteAsync(Path, sql);

    public override Task<IReadOnlyList<string>> RowsAsync(string sql) => SqliteFile.RowsAsync(Path, sql);

    public override Task<IReadOnlyList<string>> ShapeAsync() => SqliteFile.ShapeAsync(Path);

    public override Task<IReadOnlyList<string>> SchemaAsync() => SqliteFile.SchemaAsync(Path);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
