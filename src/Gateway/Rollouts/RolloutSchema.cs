using Predictions.Storage;

namespace Predictions.Gateway.Rollouts;

/// <summary>
/// The rollout store's table in the results database: one row, the whole state as a JSON document, so every change
/// is one compare-and-set on its revision however many models it touches.
/// </summary>
public static class RolloutSchema
{
    public static readonly StoreSchema Store = new("rollouts",
    [
        new(1,
            sqlite: """
                CREATE TABLE rollout_state (
                    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
                    revision INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                """,
            postgres: """
                CREATE TABLE rollout_state (
                    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
                    revision BIGINT NOT NULL,
                    state TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                """),
    ]);
}
