using Dapper;
using Predictions.Gateway.Stores;
using Predictions.Storage;
using static Predictions.Storage.StoredTimestamp;

namespace Predictions.Gateway.Idempotency;

/// <summary>
/// Remembers which prediction each <c>Idempotency-Key</c> created, so a client's retry returns the same
/// prediction instead of publishing a second one. A key is claimed before publishing and released if
/// the broker does not confirm, so a failed attempt can be retried with the same key. The key keeps its
/// prediction id across attempts: an unconfirmed publish may still have reached the broker, and a retry
/// that publishes the same id again is collapsed into one prediction by the worker and the stores.
/// Keys belong to an owner (the API key's name, '' when keys are off): two clients choosing the same key
/// never meet. The table is <see cref="IdempotencySchema"/>.
/// </summary>
public sealed class IdempotencyStore([FromKeyedServices(ResultsDatabase.Name)] StoreDatabase database, TimeProvider clock)
{
    /// <summary>A claim left unpublished this long belongs to a gateway that died mid-request.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(2);

    public enum Outcome
    {
        /// <summary>
        /// The key is new, or its last attempt failed: publish, then <see cref="MarkPublishedAsync"/> or <see cref="ReleaseAsync"/>.
        /// </summary>
        Claimed,

        /// <summary>The key already made this prediction: answer with it, publish nothing.</summary>
        Replayed,

        /// <summary>The key was used for a different request.</summary>
        Mismatch,

        /// <summary>Another request with the key is being published right now.</summary>
        InProgress,
    }

    /// <summary>
    /// Claims <paramref name="owner"/>'s key for <paramref name="predictionId"/> (or, when an earlier attempt
    /// with the key failed, for that attempt's prediction id), or tells what the key already stands for.
    /// </summary>
    public Task<(Outcome Outcome, Guid PredictionId)> ClaimAsync(
        string? owner, string key, Guid predictionId, string fingerprint, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var scope = owner ?? "";
        return database.WriteAsync(async write =>
        {
            var claimed = await write.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
                INSERT INTO owned_idempotency_keys (owner, idempotency_key, prediction_id, fingerprint, published, created_at)
                VALUES (@scope, @key, @id, @fingerprint, 0, @now)
                ON CONFLICT (owner, idempotency_key) DO UPDATE SET created_at = excluded.created_at
                WHERE owned_idempotency_keys.published = 0 AND owned_idempotency_keys.created_at < @abandoned
                    AND owned_idempotency_keys.fingerprint = excluded.fingerprint
                RETURNING prediction_id;
                """,
                new { scope, key, id = predictionId.ToString(), fingerprint, now = Text(now), abandoned = Text(now - Abandoned) },
                write.Transaction,
                cancellationToken: write.CancellationToken));
            if (claimed is not null)
            {
                return (Outcome.Claimed, Guid.Parse(claimed));
            }

            var existing = await write.Connection.QuerySingleAsync<(string PredictionId, string Fingerprint, long Published)>(new CommandDefinition(
                "SELECT prediction_id, fingerprint, published FROM owned_idempotency_keys WHERE owner = @scope AND idempotency_key = @key",
                new { scope, key },
                write.Transaction,
                cancellationToken: write.CancellationToken));
            var outcome = existing.Fingerprint != fingerprint ? Outcome.Mismatch
                : existing.Published == 0 ? Outcome.InProgress
                : Outcome.Replayed;
            return (outcome, Guid.Parse(existing.PredictionId));
        }, cancellationToken);
    }

    public Task MarkPublishedAsync(string? owner, string key, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE owned_idempotency_keys SET published = 1 WHERE owner = @scope AND idempotency_key = @key", owner, key, cancellationToken);

    /// <summary>Frees the key for an immediate retry, which will publish the same prediction id.</summary>
    public Task ReleaseAsync(string? owner, string key, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE owned_idempotency_keys SET created_at = @released WHERE owner = @scope AND idempotency_key = @key AND published = 0",
            owner, key, cancellationToken);

    private Task<int> ExecuteAsync(string sql, string? owner, string key, CancellationToken cancellationToken) =>
        database.WriteAsync(write => write.Connection.ExecuteAsync(new CommandDefinition(
            sql, new { scope = owner ?? "", key, released = Text(DateTimeOffset.UnixEpoch) }, write.Transaction,
            cancellationToken: write.CancellationToken)), cancellationToken);
}
