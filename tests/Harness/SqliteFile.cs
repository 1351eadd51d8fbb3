using Microsoft.Data.Sqlite;

namespace Predictions.Harness;

/// <summary>A SQLite file read and written directly, as an earlier release of the service or an operator's shell would.</summary>
public static class SqliteFile
{
    public static async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = await OpenAsync(path);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Each row of <paramref name="sql"/> as its columns' values joined by '|'.</summary>
    public static async Task<IReadOnlyList<string>> RowsAsync(string path, string sql)
    {
        await using var connection = await OpenAsync(path);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount)
                .Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    /// <summary>The versions of <paramref name="store"/>'s schema recorded in the file, in order.</summary>
    public static async Task<IReadOnlyList<int>> VersionsAsync(string path, string store) =>
        [.. (await RowsAsync(path, $"SELECT version FROM schema_migrations WHERE store = '{store}' ORDER BY version")).Select(int.Parse)];

    /// <summary>
    /// Every column of the stores' tables (type, nullability, key), sorted: two files have the same shape when
    /// they have the same tables and columns, whatever order the columns were added in.
    /// </summary>
    public static Task<IReadOnlyList<string>> ShapeAsync(string path) => RowsAsync(path, """
        SELECT m.name || '.' || c.name || ' ' || c.type || iif(c."notnull", ' NOT NULL', '') || iif(c.pk > 0, ' KEY ' || c.pk, '')
        FROM sqlite_master m JOIN pragma_table_info(m.name) c
        WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'schema_migrations'
        ORDER BY 1
        """);

    /// <summary>Everything a start could change: the definitions of tables and indexes, and the recorded versions.</summary>
    public static async Task<IReadOnlyList<string>> SchemaAsync(string path) =>
    [
        .. await RowsAsync(path, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"),
        .. await RowsAsync(path, "SELECT store, version, applied_at FROM schema_migrations ORDER BY store, version"),
    ];

    private static async Task<SqliteConnection> OpenAsync(string path)
    {
        // Unpooled: nothing of this connection outlives the call, as with a separate process.
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }
}
