using Predictions.Gateway.Rollouts;
using Predictions.Tests.Shared.Schemas;

namespace Predictions.Gateway.Tests.Rollouts;

/// <summary>The rollout store's table: made new on each engine, and kept with its row by a second start.</summary>
public sealed class RolloutSchemaTests() : StoreSchemaTests(RolloutSchema.Store)
{
    private const string Row = """{"models":{"iris":{"loaded":[1,2],"retired":[],"aliases":{"stable":2},"canary":null,"shadow":null}}}""";

    protected override string RowsAtFirstStep(string database) =>
        $"INSERT INTO rollout_state (id, revision, state, updated_at) VALUES (1, 3, '{Row}', '2026-01-01T00:00:00.0000000Z');";

    protected override string ReadKeptRows => "SELECT id, revision, state, updated_at FROM rollout_state";

    protected override IReadOnlyList<string> KeptRows => [$"1|3|{Row}|2026-01-01T00:00:00.0000000Z"];
}
