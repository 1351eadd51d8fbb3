using Predictions.Storage;

namespace Predictions.Worker.Audit;

/// <summary>
/// The audit store's table, one step per change, each as SQLite and PostgreSQL spell it. An audit file made before
/// versions were recorded is found at the step it had reached and carried on from there, its rows untouched.
/// PostgreSQL came later: its first step makes the shape SQLite reached by step 3.
/// </summary>
public static class AuditSchema
{
    public static readonly StoreSchema Store = new("audit",
    [
        new(1,
            sqlite: """
                CREATE TABLE prediction_audit (
                    prediction_id TEXT NOT NULL PRIMARY KEY,
                    outcome TEXT NOT NULL,
                    item_id INTEGER NOT NULL,
                    feature_value REAL NOT NULL,
                    metadata TEXT NULL,
                    prediction REAL NULL,
                    error TEXT NULL,
                    worker TEXT NOT NULL,
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
                """,
            // Text timestamps as in SQLite, so reads and ordering are the same.
            postgres: """
                CREATE TABLE prediction_audit (
                    prediction_id TEXT NOT NULL PRIMARY KEY,
                    outcome TEXT NOT NULL,
                    item_id BIGINT NOT NULL,
                    feature_value DOUBLE PRECISION NOT NULL,
                    metadata TEXT NULL,
                    prediction DOUBLE PRECISION NULL,
                    error TEXT NULL,
                    worker TEXT NOT NULL,
                    submitted_at TEXT NULL,
                    received_at TEXT NOT NULL,
                    metadata_started_at TEXT NULL,
                    metadata_completed_at TEXT NULL,
                    inference_queued_at TEXT NULL,
                    inference_started_at TEXT NULL,
                    inference_completed_at TEXT NULL,
                    finished_at TEXT NOT NULL,
                    audited_at TEXT NOT NULL,
                    model_name TEXT NULL,
                    model_version TEXT NULL
                );
                """)
        {
            PresentWhen = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'prediction_audit'",
        },

        // Rows name the model that computed them. A column per step: files upgraded before versions were
        // recorded gained them one at a time, so one may hold the first without the second.
        new(2, sqlite: "ALTER TABLE prediction_audit ADD COLUMN model_name TEXT NULL;", postgres: null)
        {
            PresentWhen = "SELECT count(*) FROM pragma_table_info('prediction_audit') WHERE name = 'model_name'",
        },
        new(3, sqlite: "ALTER TABLE prediction_audit ADD COLUMN model_version TEXT NULL;", postgres: null)
        {
            PresentWhen = "SELECT count(*) FROM pragma_table_info('prediction_audit') WHERE name = 'model_version'",
        },

        // Why that version computed it, and on a shadow copy's row the prediction it copies. No file from before
        // versions were recorded has these, so no PresentWhen; PostgreSQL runs it as its step 2.
        new(4, """
            ALTER TABLE prediction_audit ADD COLUMN route TEXT NULL;
            ALTER TABLE prediction_audit ADD COLUMN shadow_of TEXT NULL;
            """),
    ]);
}
