using System.Text.Json;
using Predictions.Contracts;
using Predictions.ServiceDefaults.Messaging;
using Predictions.ServiceDefaults.Storage;
using static Predictions.ServiceDefaults.Storage.StoredTimestamp;

namespace Predictions.Worker.Audit;

/// <summary>
/// The <c>prediction_audit</c> table: one row per prediction id. A second delivery of the same outcome
/// (or a late outcome for a prediction already audited) changes nothing. The table is <see cref="AuditSchema"/>.
/// </summary>
public sealed class AuditStore([FromKeyedServices(AuditStore.Database)] StoreDatabase database, TimeProvider clock)
{
    public const string Database = "Audit";

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

    }
}
