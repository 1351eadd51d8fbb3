using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Predictions.Gateway.Stores;
using Predictions.Messaging.Rollouts;
using Predictions.Storage;
using static Predictions.Storage.StoredTimestamp;

namespace Predictions.Gateway.Rollouts;

/// <summary>
/// The rollout state the admin API changes, shared by every gateway on the results database: one row holding the
/// state as JSON and its revision. A change is read, applied and written back only if no other gateway wrote in
/// between (compare-and-set on the revision), else tried again on what that gateway wrote, so no change is lost.
/// The table is <see cref="RolloutSchema"/>.
/// </summary>
public sealed class RolloutStore([FromKeyedServices(ResultsDatabase.Name)] StoreDatabase database, TimeProvider clock)
{
    /// <summary>Lost races before giving up: each loss means another change landed, so only a storm of them gets here.</summary>
    private const int Attempts = 10;

    // Computed properties (ModelRollout.Stable) are not part of the document; Revision and Stored are the row's.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { IgnoreReadOnlyProperties = true };

    /// <summary>The stored state, or null while none has been stored (the seed applies).</summary>
    public Task<RolloutState?> ReadAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, token) =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
                "SELECT revision, state FROM rollout_state WHERE id = 1", cancellationToken: token));
            return row is null ? null : Parse(row);
        }, cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to the stored state (or to <paramref name="seed"/> while none is stored) and
    /// stores the result one revision later, returning it. <paramref name="change"/> may run more than once, each time
    /// on a newer state, when other gateways change it at the same time: it must be a pure function of its input.
    /// A change that leaves the state as it was writes nothing and returns the state read.
    /// </summary>
    public async Task<RolloutState> ChangeAsync(RolloutState seed, Func<RolloutState, RolloutState> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var stored = await ReadAsync(cancellationToken);
            var current = stored ?? seed;
            var changed = change(current);
            if (JsonNode.DeepEquals(Document(current), Document(changed)))
            {
                return current;
            }

            var written = changed with { Revision = current.Revision + 1, Stored = true };
            if (await TryWriteAsync(stored is null ? null : current.Revision, written, cancellationToken))
            {
                return written;
            }
        }

        throw new InvalidOperationException(
            $"The rollout state in {database.Location} was changed by others {Attempts} times while this change was applied; try it again.");
    }

    /// <summary>Writes <paramref name="state"/> if the row is still at <paramref name="read"/> (null: if there is no row yet).</summary>
    private Task<bool> TryWriteAsync(long? read, RolloutState state, CancellationToken cancellationToken)
    {
        var sql = read is null
            ? """
                INSERT INTO rollout_state (id, revision, state, updated_at) VALUES (1, @revision, @state, @now)
                ON CONFLICT (id) DO NOTHING
                """
            : "UPDATE rollout_state SET revision = @revision, state = @state, updated_at = @now WHERE id = 1 AND revision = @read";
        var parameters = new { read, revision = state.Revision, state = Document(state).ToJsonString(Json), now = Text(clock.GetUtcNow()) };
        return database.WriteAsync(async write => await write.Connection.ExecuteAsync(new CommandDefinition(
            sql, parameters, write.Transaction, cancellationToken: write.CancellationToken)) == 1, cancellationToken);
    }

    private static JsonNode Document(RolloutState state) => JsonSerializer.SerializeToNode(new StoredState(state.Models), Json)!;

    private static RolloutState Parse(Row row)
    {
        var document = JsonSerializer.Deserialize<StoredState>(row.State, Json)
            ?? throw new InvalidOperationException("The stored rollout state is empty.");
        return new RolloutState { Revision = row.Revision, Stored = true, Models = document.Models };
    }

    /// <summary>What the JSON holds: the state without what the row says (its revision, that it is stored).</summary>
    private sealed record StoredState(IReadOnlyDictionary<string, ModelRollout> Models);

    private sealed record Row(long Revision, string State);
}
