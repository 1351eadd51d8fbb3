using Predictions.Storage;

namespace Predictions.Gateway.Idempotency;

/// <summary>
/// The idempotency store's table in the results database, one step per change, each as SQLite and PostgreSQL spell
/// it. A results file made before versions were recorded is found at the step it had reached and carried on from
/// there, its keys kept. PostgreSQL came later: its first step makes the shape SQLite reached by step 2.
/// </summary>
public static class IdempotencySchema
{
    public static readonly StoreSchema Store = new("idempotency",
    [
        new(1,
            sqlite: """
                CREATE TABLE idempotency_keys (
                    idempotency_key TEXT NOT NULL PRIMARY KEY,
                    prediction_id TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    published INTEGER NOT NULL,
                    created_at TEXT NOT NULL
                );
                """,
            postgres: """
                CREATE TABLE owned_idempotency_keys (
                    owner TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    prediction_id TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    published BIGINT NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (owner, idempotency_key)
                );
                """)
        {
            // Step 2 moves this table's keys into another and drops it: either table means step 1 happened.
            PresentWhen = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('idempotency_keys', 'owned_idempotency_keys')",
        },

        // Keys belong to an owner, the API key's name ('' when keys are off): the keys stored before owners
        // existed move into the '' scope. The new table may already be there: a file made before versions
        // were recorded could have stopped between creating it and moving the keys.
        new(2,
            sqlite: """
                CREATE TABLE IF NOT EXISTS owned_idempotency_keys (
                    owner TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    prediction_id TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    published INTEGER NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (owner, idempotency_key)
                );
                INSERT OR IGNORE INTO owned_idempotency_keys (owner, idempotency_key, prediction_id, fingerprint, published, created_at)
                    SELECT '', idempotency_key, prediction_id, fingerprint, published, created_at FROM idempotency_keys;
                DROP TABLE idempotency_keys;
                """,
            postgres: null)
        {
            PresentWhen = """
                SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'owned_idempotency_keys'
                    AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'idempotency_keys')
                """,
        },
    ]);
}
