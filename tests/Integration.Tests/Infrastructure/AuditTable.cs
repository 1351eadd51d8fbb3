using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>
/// Reads the worker's <c>prediction_audit</c> table as an operator would, from the SQLite file at
/// <paramref name="source"/> or, when it is an Npgsql connection string, from that PostgreSQL database.
/// </summary>
public sealed class AuditTable(string source)
{
    private bool OnPostgres => source.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    public async Task<IReadOnlyList<AuditRow>> ReadAsync(IEnumerable<string>? predictionIds = null)
    {
        if (!OnPostgres && !File.Exists(source))
        {
            return [];
        }

        await using DbConnection connection = OnPostgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(source) { Pooling = false }.ConnectionString)
            : new SqliteConnection($"Data Source={source};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT prediction_id, outcome, prediction, error, worker, metadata,
                   metadata_started_at, metadata_completed_at, inference_started_at, inference_completed_at,
                   model_name, model_version
            FROM prediction_audit
            """;
        var wanted = predictionIds?.ToHashSet();
        var rows = new List<AuditRow>();
        DbDataReader reader;
        try
        {
            reader = await command.ExecuteReaderAsync();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // No worker has created the table yet.
            return [];
        }

        await using var _ = reader;
        while (await reader.ReadAsync())
        {
            var row = new AuditRow(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetDouble(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                Time(reader, 6),
                Time(reader, 7),
                Time(reader, 8),
                Time(reader, 9),
                reader.IsDBNull(10) ? null : $"{reader.GetString(10)} {reader.GetString(11)}");
            if (wanted is null || wanted.Contains(row.PredictionId))
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>
    /// The rows of these predictions once each has one. The audit consumer runs beside the gateway's status
    /// consumer, so a poller may see an outcome a moment before its row is written.
    /// </summary>
    public async Task<IReadOnlyList<AuditRow>> WaitForAsync(IReadOnlyCollection<string> predictionIds, TimeSpan timeout)
    {
        IReadOnlyList<AuditRow> rows = [];
        await Eventually.HoldsAsync(
            async () => (rows = await ReadAsync(predictionIds)).Select(r => r.PredictionId).Distinct().Count() == predictionIds.Count,
            timeout,
            () => $"{rows.Count} of {predictionIds.Count} predictions audited");
        return rows;
    }

    private static DateTimeOffset? Time(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : DateTimeOffset.Parse(reader.GetString(column), System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record AuditRow(
    string PredictionId,
    string Outcome,
    double? Prediction,
    string? Error,
    string Worker,
    string? Metadata,
    DateTimeOffset? MetadataStartedAt,
    DateTimeOffset? MetadataCompletedAt,
    DateTimeOffset? InferenceStartedAt,
    DateTimeOffset? InferenceCompletedAt,
    string? Model);
