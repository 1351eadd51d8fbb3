using System.Globalization;
using Npgsql;
using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Postgres;

namespace Predictions.Tests.Shared.Schemas;

/// <summary>A database of its own on the harness's PostgreSQL server, dropped when disposed.</summary>
public sealed class PostgresSchemaTestDatabase(PostgresTestDatabase database) : SchemaTestDatabase
{
    private const string Shape = """
        SELECT c.table_name || '.' || c.column_name || ' ' || c.data_type
            || CASE WHEN c.is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
            || COALESCE(' KEY ' || k.ordinal_position, '')
        FROM information_schema.columns c
        LEFT JOIN information_schema.key_column_usage k
            ON k.table_schema = c.table_schema AND k.table_name = c.table_name AND k.column_name = c.column_name
            AND k.constraint_name IN (SELECT constraint_name FROM information_schema.table_constraints
                                      WHERE table_schema = c.table_schema AND constraint_type = 'PRIMARY KEY')
        WHERE c.table_schema = current_schema() AND c.table_name <> 'schema_migrations'
        ORDER BY 1
        """;

    public static async Task<PostgresSchemaTestDatabase> CreateAsync() => new(await PostgresLocator.CreateDatabaseAsync());

    public override StoreDatabase Open(StoreSchema schema) => new PostgresDatabase(database.ConnectionString, [schema]);

    public override Task ExecuteAsync(string sql) => database.ExecuteAsync(sql);

    public override async Task<IReadOnlyList<string>> RowsAsync(string sql)
    {
        // Unpooled: nothing of this connection outlives the call, as with a separate client.
        var unpooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount)
                .Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    public override Task<IReadOnlyList<string>> ShapeAsync() => RowsAsync(Shape);

    public override async Task<IReadOnlyList<string>> SchemaAsync() =>
    [
        .. await ShapeAsync(),
        .. await RowsAsync("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"),
        .. await RowsAsync("SELECT store, version, applied_at FROM schema_migrations ORDER BY store, version"),
    ];

    public override ValueTask DisposeAsync() => database.DisposeAsync();
}
