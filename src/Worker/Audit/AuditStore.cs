using System.Text.Json;
using Predictions.Contracts;
using Predictions.ServiceDefaults.Messaging;
using Predictions.ServiceDefaults.Storage;

namespace Predictions.Worker.Audit;

/// <summary>
/// The <c>prediction_audit</c> table: one row per prediction id. A second delivery of the same outcome
/// (or a late outcome for a prediction already audited) changes nothing.
/// </summary>
public sealed class AuditStore([FromKeyedServices(AuditStore.Database)] SqliteDatabase database, TimeProvider clock)
{
    public const string Database = "Audit";

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS prediction_audit (
            prediction_id TEXT NOT NULL PRIMARY KEY,
            outcome TEXT NOT NULL,
            item_id INTEGER NOT NULL,
            feature_value REAL NOT NULL,
            metadata TEXT NULL,
            prediction REAL NULL,
            error TEXT NULL,
            worker TEXT NOT NULL,
            model_name TEXT NULL,
            model_version TEXT NULL,
            submitted_at TEXT NULL,
            received_at TEXT NOT NULL,
            metadata_started_at TEXT NULL,
            metadata_completed_at TEXT NULL,
            inference_queued_at TEXT NULL,
            inference_started_at TEXT NULL,
            inference_completed_at TEXT NULL,
            finished_at TEXT NOT NULL,
            audited_at TEXT NOT NULL
        );
        """;

    /// <summary>Columns an audit database made by an older worker lacks.</summary>
    public static readonly IReadOnlyList<AddedColumn> AddedColumns =
    [
        new("prediction_audit", "model_name", "TEXT NULL"),
        new("prediction_audit", "model_version", "TEXT NULL"),
    ];

    private const string Insert = """
        INSERT INTO prediction_audit (
            prediction_id, outcome, item_id, feature_value, metadata, prediction, error, worker, model_name, model_version,
            submitted_at, received_at, metadata_started_at, metadata_completed_at,
            inference_queued_at, inference_started_at, inference_completed_at, finished_at, audited_at)
        VALUES (
            @PredictionId, @Outcome, @ItemId, @FeatureValue, @Metadata, @Prediction, @Error, @Worker, @ModelName, @ModelVersion,
            @SubmittedAt, @ReceivedAt, @MetadataStartedAt, @MetadataCompletedAt,
            @InferenceQueuedAt, @InferenceStartedAt, @InferenceCompletedAt, @FinishedAt, @AuditedAt)
        ON CONFLICT (prediction_id) DO NOTHING;
        """;

    /// <summary>
    /// Writes a row for each outcome not yet audited, all in one transaction (one disk flush for the lot);
    /// returns the ids that were already audited and so changed nothing.
    /// </summary>
    public Task<IReadOnlyList<Guid>> AddAsync(IEnumerable<PredictionOutcome> outcomes, CancellationToken cancellationToken) =>
        InsertAsync([.. outcomes.Select(e => Row.From(e, clock.GetUtcNow()))], cancellationToken);

    private Task<IReadOnlyList<Guid>> InsertAsync(IReadOnlyList<Row> rows, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<Guid>>((connection, transaction) =>
        {
            var written = PreparedBatch.Execute(connection, transaction, Insert, rows);
            return [.. rows.Where((_, i) => written[i] == 0).Select(row => Guid.Parse(row.PredictionId))];
        }, cancellationToken);

    private sealed record Row(
        string PredictionId,
        string Outcome,
        long ItemId,
        double FeatureValue,
        string? Metadata,
        double? Prediction,
        string? Error,
        string Worker,
        string? ModelName,
        string? ModelVersion,
        string? SubmittedAt,
        string ReceivedAt,
        string? MetadataStartedAt,
        string? MetadataCompletedAt,
        string? InferenceQueuedAt,
        string? InferenceStartedAt,
        string? InferenceCompletedAt,
        string FinishedAt,
        string AuditedAt)
    {
        public static Row From(PredictionOutcome e, DateTimeOffset now)
        {
            var summary = OutcomeSummary.Of(e);
            var completed = e as PredictionCompleted;
            return new(
                e.PredictionId.ToString(), summary.Status, e.ItemId, e.FeatureValue, completed is null ? null : JsonSerializer.Serialize(completed.Metadata),
                completed?.Prediction, summary.Error, e.Worker, completed?.Model?.Name, completed?.Model?.Version, Text(e.SubmittedAt), Text(e.Timings.ReceivedAt)!,
                Text(e.Timings.MetadataStartedAt), Text(e.Timings.MetadataCompletedAt), Text(e.Timings.InferenceQueuedAt),
                Text(e.Timings.InferenceStartedAt), Text(e.Timings.InferenceCompletedAt), Text(summary.FinishedAt)!, Text(now)!);
        }

        // ISO 8601 in UTC sorts as text and reads plainly in any SQLite shell.
        private static string? Text(DateTimeOffset? value) => value?.UtcDateTime.ToString("O");
    }
}
