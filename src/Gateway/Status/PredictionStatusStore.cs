using System.Text.Json;
using Dapper;
using Predictions.Contracts;
using Predictions.Gateway.Stores;
using Predictions.Messaging;
using Predictions.Messaging.Outcomes;
using Predictions.Storage;
using static Predictions.Storage.StoredTimestamp;

namespace Predictions.Gateway.Status;

/// <summary>
/// The <c>predictions</c> table clients poll. Fed by the gateway when it accepts a request and by the
/// result events; of two outcomes of one prediction the one <see cref="OutcomePrecedence"/> prefers is kept,
/// whichever arrived first, as the audit store does, so duplicates change nothing.
/// Who submitted a prediction over HTTP with an API key is kept in <c>prediction_owners</c>; predictions
/// stored before owners existed have none. The tables are <see cref="PredictionStatusSchema"/>.
/// </summary>
public sealed class PredictionStatusStore([FromKeyedServices(ResultsDatabase.Name)] StoreDatabase database)
{
    private const string InsertQueued = """
        INSERT INTO predictions (prediction_id, status, item_id, feature_value, submitted_at)
        VALUES (@Id, @Status, @ItemId, @FeatureValue, @SubmittedAt)
        ON CONFLICT (prediction_id) DO NOTHING;
        """;

    // The first owner stays: a prediction never changes hands.
    private const string InsertOwner = """
        INSERT INTO prediction_owners (prediction_id, owner) VALUES (@Id, @Owner)
        ON CONFLICT (prediction_id) DO NOTHING;
        """;

    private static readonly OutcomeColumns Outcome = new(Status: "status", FinishedAt: "completed_at", Worker: "worker");

    // An outcome replaces a queued row, and an outcome that takes precedence over the stored one.
    private static string UpsertOutcome(StoreDialect dialect) => $"""
        INSERT INTO predictions (prediction_id, status, item_id, feature_value, metadata, prediction, error,
            submitted_at, completed_at, model_name, model_version, worker, route)
        VALUES (@Id, @Status, @ItemId, @FeatureValue, @Metadata, @Prediction, @Error,
            @SubmittedAt, @CompletedAt, @ModelName, @ModelVersion, @Worker, @Route)
        ON CONFLICT (prediction_id) DO UPDATE SET
            status = excluded.status, metadata = excluded.metadata, prediction = excluded.prediction,
            error = excluded.error, completed_at = excluded.completed_at,
            model_name = excluded.model_name, model_version = excluded.model_version, worker = excluded.worker,
            route = excluded.route,
            submitted_at = coalesce(predictions.submitted_at, excluded.submitted_at)
        WHERE {OutcomePrecedence.SupersedesSql(Outcome, "excluded", "predictions", dialect.BytewiseCollation)};
        """;

    private const string Columns = """
        p.prediction_id AS Id, status AS Status, item_id AS ItemId, feature_value AS FeatureValue,
        metadata AS Metadata, prediction AS Prediction, error AS Error,
        submitted_at AS SubmittedAt, completed_at AS CompletedAt,
        model_name AS ModelName, model_version AS ModelVersion, worker AS Worker, route AS Route
        """;

    // A prediction someone else owns reads exactly like one that does not exist.
    private const string SelectOne = $"""
        SELECT {Columns}
        FROM predictions p LEFT JOIN prediction_owners o ON o.prediction_id = p.prediction_id
        WHERE p.prediction_id = @Id AND (@Reader IS NULL OR o.owner IS NULL OR o.owner = @Reader);
        """;

    private const string SelectFinished = $"SELECT {Columns} FROM predictions p";

    /// <summary>
    /// Records requests as queued, unless they are already known, owned by <paramref name="owner"/> (the API
    /// key's name; null for none); one transaction for all. Not flushed to disk: a "queued" row lost with the
    /// machine comes back when the outcome arrives, which is flushed.
    /// </summary>
    public Task AddQueuedAsync(IEnumerable<PredictionRequest> requests, string? owner, CancellationToken cancellationToken)
    {
        var rows = requests.Select(r => new Row(
            r.PredictionId.ToString(), "queued", r.ItemId, r.FeatureValue, null, null, null, Text(r.SubmittedAt),
            null, null, null, null, null)).ToList();
        return database.WriteAsync(async write =>
        {
            await write.ExecuteEachAsync(InsertQueued, rows);
            if (owner is not null)
            {
                // Also when the outcome was stored first: the owner does not depend on which row came first.
                await write.ExecuteEachAsync(InsertOwner, [.. rows.Select(r => new OwnerRow(r.Id, owner))]);
            }

            return rows.Count;
        }, cancellationToken, durable: false);
    }

    /// <summary>
    /// Records outcomes; a prediction that already has one keeps it unless <see cref="OutcomePrecedence"/> prefers
    /// the new one. One transaction for all. Returns the predictions that changed, each as it now stands.
    /// </summary>
    public Task<IReadOnlyList<PredictionRecord>> AddOutcomesAsync(IEnumerable<PredictionOutcome> outcomes, CancellationToken cancellationToken) =>
        AddOutcomesAsync(outcomes.Select(outcome => (outcome, (string?)null)), cancellationToken);

    /// <summary>
    /// Records outcomes as <see cref="AddOutcomesAsync(IEnumerable{PredictionOutcome}, CancellationToken)"/> does, each
    /// with the API key's name that submitted its request (<see cref="Topology.OwnerHeader"/>, null for none), in the
    /// same transaction: a prediction whose queued record was never written is still its owner's alone.
    /// </summary>
    public async Task<IReadOnlyList<PredictionRecord>> AddOutcomesAsync(
        IEnumerable<(PredictionOutcome Outcome, string? Owner)> outcomes, CancellationToken cancellationToken)
    {
        var owned = outcomes.ToList();
        var rows = owned.Select(o => Row.From(o.Outcome)).ToList();
        var owners = owned.Where(o => o.Owner is not null).Select(o => new OwnerRow(o.Outcome.PredictionId.ToString(), o.Owner!)).ToList();
        var upsert = UpsertOutcome(database.Dialect);
        var changed = await database.WriteAsync(async write =>
        {
            var written = await write.ExecuteEachAsync(upsert, rows);
            if (owners.Count > 0)
            {
                await write.ExecuteEachAsync(InsertOwner, owners);
            }

            // Each write that changed a prediction replaced what it had, so the last one is what it now holds.
            var standing = rows.Where((_, i) => written[i] > 0).GroupBy(row => row.Id).Select(changes => changes.Last()).ToList();
            // Gateways sharing the database wake their own long polls for these, once this commits.
            await OutcomeNotifications.SendAsync(write, standing.Select(row => row.Id));

            return standing;
        }, cancellationToken);
        return [.. changed.Select(row => row.ToRecord())];
    }

    /// <summary>
    /// The prediction as <paramref name="reader"/> (an API key's name) may see it: null when it is unknown or
    /// owned by another key. Predictions without an owner are everyone's; a null reader (keys off) sees all.
    /// </summary>
    public async Task<PredictionRecord?> FindAsync(Guid id, string? reader, CancellationToken cancellationToken)
    {
        var row = await database.ReadAsync((connection, token) => connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition(SelectOne, new { Id = id.ToString(), Reader = reader }, cancellationToken: token)), cancellationToken);
        return row?.ToRecord();
    }

    /// <summary>The predictions among <paramref name="ids"/> that have an outcome, whoever owns them.</summary>
    public async Task<IReadOnlyList<PredictionRecord>> FindFinishedAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        // A parameter per id, spelled out: Dapper would pass a list to PostgreSQL as one array instead.
        var parameters = new DynamicParameters();
        var names = ids.Select((id, i) =>
        {
            parameters.Add($"Id{i}", id.ToString());
            return $"@Id{i}";
        }).ToList();
        var rows = await database.ReadAsync((connection, token) => connection.QueryAsync<Row>(new CommandDefinition(
            $"{SelectFinished} WHERE p.prediction_id IN ({string.Join(", ", names)}) AND status <> 'queued';",
            parameters, cancellationToken: token)),
            cancellationToken);
        return [.. rows.Select(row => row.ToRecord())];
    }

    private sealed record OwnerRow(string Id, string Owner);

    private sealed record Row(
        string Id,
        string Status,
        long ItemId,
        double FeatureValue,
        string? Metadata,
        double? Prediction,
        string? Error,
        string? SubmittedAt,
        string? CompletedAt,
        string? ModelName,
        string? ModelVersion,
        string? Worker,
        string? Route)
    {
        public static Row From(PredictionOutcome outcome)
        {
            var summary = OutcomeSummary.Of(outcome);
            var completed = outcome as PredictionCompleted;
            return new(
                outcome.PredictionId.ToString(), summary.Status, outcome.ItemId, outcome.FeatureValue,
                completed is null ? null : JsonSerializer.Serialize(completed.Metadata), completed?.Prediction, summary.Error,
                Text(outcome.SubmittedAt), Text(summary.FinishedAt), outcome.Model?.Name, outcome.Model?.Version, summary.Worker,
                outcome.Route);
        }

        public PredictionRecord ToRecord() => new(
            Guid.Parse(Id),
            Enum.Parse<PredictionStatus>(Status, ignoreCase: true),
            ItemId,
            FeatureValue,
            Metadata is null ? null : JsonSerializer.Deserialize<Dictionary<string, double>>(Metadata),
            Prediction,
            Error,
            SubmittedAt is null ? null : DateTimeOffset.Parse(SubmittedAt, System.Globalization.CultureInfo.InvariantCulture),
            CompletedAt is null ? null : DateTimeOffset.Parse(CompletedAt, System.Globalization.CultureInfo.InvariantCulture),
            ModelName is null || ModelVersion is null ? null : new ModelIdentity { Name = ModelName, Version = ModelVersion },
            Route);
    }
}
