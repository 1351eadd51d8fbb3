using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>
/// Reads the gateway's <c>predictions</c> table as an operator would, from the SQLite file at
/// <paramref name="source"/> or, when it is an Npgsql connection string, from that PostgreSQL database.
/// </summary>
public sealed class StatusTable(string source)
{
    private bool OnPostgres => source.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every stored prediction by id; empty while no gateway has created the table.</summary>
    public async Task<IReadOnlyDictionary<string, StatusRow>> ReadAsync()
    {
        var rows = new Dictionary<string, StatusRow>();
        if (!OnPostgres && !File.Exists(source))
        {
            return rows;
        }

        await using DbConnection connection = OnPostgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(source) { Pooling = false }.ConnectionString)
            : new SqliteConnection($"Data Source={source};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT prediction_id, status, prediction, error FROM predictions";
        DbDataReader reader;
        try
        {
            reader = await command.ExecuteReaderAsync();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return rows;
        }

        await using var _ = reader;
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = new StatusRow(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        }

        return rows;
    }
}

public sealed record StatusRow(string Status, double? Prediction, string? Error);
