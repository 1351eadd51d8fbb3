using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Predictions.Storage.Hosting;
using Predictions.Storage.Postgres;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>
/// Reads a store's table as an operator would: from the SQLite file at <c>source</c> or, when it is an Npgsql
/// connection string (the services' own rule), from that PostgreSQL database. No rows while the file or the
/// table does not exist yet.
/// </summary>
public static class StoreQuery
{
    public static async Task<IReadOnlyList<T>> ReadAsync<T>(string source, string sql, Func<DbDataReader, T> row)
    {
        var onPostgres = StoreConnectionString.ProviderOf(source) == PostgresProvider.Instance;
        if (!onPostgres && !File.Exists(source))
        {
            return [];
        }

        await using DbConnection connection = onPostgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(source) { Pooling = false }.ConnectionString)
            : new SqliteConnection($"Data Source={source};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        DbDataReader reader;
        try
        {
            reader = await command.ExecuteReaderAsync();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return [];
        }

        await using var _ = reader;
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(row(reader));
        }

        return rows;
    }
}
