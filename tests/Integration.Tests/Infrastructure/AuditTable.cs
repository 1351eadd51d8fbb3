using System.Data.Common;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>
/// Reads the worker's <c>prediction_audit</c> table as an operator would, from the SQLite file at
/// <paramref name="source"/> or, when it is an Npgsql connection string, from that PostgreSQL database.
/// </summary>
public sealed class AuditTable(string source)
{
    private const string Select = """
        SELECT prediction_id, outcome, prediction, error, worker, metadata,
               metadata_started_at, metadata_completed_at, inference_started_at, inference_completed_at,
               model_name, model_version, finished_at, route, shadow_of, submitted_at
        FROM prediction_audit
        """;

    public async Task<IReadOnlyList<AuditRow>> ReadAsync(IEnumerable<string>? predictionIds = null)
    {
        var rows = await StoreQuery.ReadAsync(source, Select, reader => new AuditRow(
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
            reader.IsDBNull(10) ? null : $"{reader.GetString(10)} {reader.GetString(11)}",
            Time(reader, 12)!.Value,
            reader.IsDBNull(13) ? null : reader.GetString(13),
            reader.IsDBNull(14) ? null : reader.GetString(14),
            Time(reader, 15)));
        var wanted = predictionIds?.ToHashSet();
        return wanted is null ? rows : [.. rows.Where(row => wanted.Contains(row.PredictionId))];
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
    string? Model,
    DateTimeOffset FinishedAt,
    string? Route = null,
    string? ShadowOf = null,
    DateTimeOffset? SubmittedAt = null);
