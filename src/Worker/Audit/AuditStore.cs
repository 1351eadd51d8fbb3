using System.Text.Json;
using Predictions.Contracts;
using Predictions.Messaging.Outcomes;
using Predictions.Storage;
using static Predictions.Storage.StoredTimestamp;

namespace Predictions.Worker.Audit;

/// <summary>
/// The <c>prediction_audit</c> table: one row per prediction id. Of two outcomes of one prediction the row holds
/// the one <see cref="OutcomePrecedence"/> prefers, whichever arrived first, as the status store does; a second
/// delivery of the same outcome, or one the row's outcome takes precedence over, changes nothing. A shadow copy's
/// outcome is a row of its own, under the copy's id, its <c>shadow_of</c> naming the prediction it copies. The table is
/// <see cref="AuditSchema"/>.
/// </summary>
public sealed class AuditStore([FromKeyedServices(AuditStore.Database)] StoreDatabase database, TimeProvider clock)
{
    public const string Database = "Audit";

    private static readonly OutcomeColumns Outcome = new(Status: "outcome", FinishedAt: "finished_at", Worker: "worker");

    private static string Upsert(StoreDialect dialect) => $"""
        INSERT INTO prediction_audit (
            prediction_id, outcome, item_id, feature_value, metadata, prediction, error, worker, model_name, model_version,
            route, shadow_of, submitted_at, received_at, metadata_started_at, metadata_completed_at,
            inference_queued_at, inference_started_at, inference_completed_at, finished_at, audited_at)
        VALUES (
            @PredictionId, @Outcome, @ItemId, @FeatureValue, @Metadata, @Prediction, @Error, @Worker, @ModelName, @ModelVersion,
            @Route, @ShadowOf, @SubmittedAt, @ReceivedAt, @MetadataStartedAt, @MetadataCompletedAt,
            @InferenceQueuedAt, @InferenceStartedAt, @InferenceCompletedAt, @FinishedAt, @AuditedAt)
        ON CONFLICT (prediction_id) DO UPDATE SET
            outcome = excluded.outcome, metadata = excluded.metadata, prediction = excluded.prediction, error = excluded.error,
            worker = excluded.worker, model_name = excluded.model_name, model_version = excluded.model_version,
            route = excluded.route, shadow_of = excluded.shadow_of,
            submitted_at = coalesce(prediction_audit.submitted_at, excluded.submitted_at), received_at = excluded.received_at,
            metadata_started_at = excluded.metadata_started_at, metadata_completed_at = excluded.metadata_completed_at,
            inference_queued_at = excluded.inference_queued_at, inference_started_at = excluded.inference_started_at,
            inference_completed_at = excluded.inference_completed_at, finished_at = excluded.finished_at, audited_at = excluded.audited_at
        WHERE {OutcomePrecedence.SupersedesSql(Outcome, "excluded", "prediction_audit", dialect.BytewiseCollation)};
        """;

    /// <summary>
    /// Writes each outcome that the prediction's row does not yet hold or that takes precedence over it, all in one
    /// transaction (one disk flush for the lot); returns the ids of the outcomes that changed nothing.
    /// </summary>
    public Task<IReadOnlyList<Guid>> AddAsync(IEnumerable<PredictionOutcome> outcomes, CancellationToken cancellationToken) =>
        UpsertAsync([.. outcomes.Select(e => Row.From(e, clock.GetUtcNow()))], cancellationToken);

    private Task<IReadOnlyList<Guid>> UpsertAsync(IReadOnlyList<Row> rows, CancellationToken cancellationToken)
    {
        var upsert = Upsert(database.Dialect);
        return database.WriteAsync<IReadOnlyList<Guid>>(async write =>
        {
            var written = await write.ExecuteEachAsync(upsert, rows);
            return [.. rows.Where((_, i) => written[i] == 0).Select(row => Guid.Parse(row.PredictionId))];
        }, cancellationToken);
    }

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
        string? Route,
        string? ShadowOf,
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
                e.PredictionId.ToString(), summary.Status, e.ItemId, e.FeatureValue,
                completed is null ? null : JsonSerializer.Serialize(completed.Metadata),
                completed?.Prediction, summary.Error, e.Worker, e.Model?.Name, e.Model?.Version,
                e.Route, e.ShadowOf?.ToString(),
                Text(e.SubmittedAt), Text(e.Timings.ReceivedAt)!,
                Text(e.Timings.MetadataStartedAt), Text(e.Timings.MetadataCompletedAt), Text(e.Timings.InferenceQueuedAt),
                Text(e.Timings.InferenceStartedAt), Text(e.Timings.InferenceCompletedAt), Text(summary.FinishedAt)!, Text(now)!);
        }

    }
}
