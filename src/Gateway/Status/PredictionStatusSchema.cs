using Predictions.Storage;

namespace Predictions.Gateway.Status;

/// <summary>
/// The status store's tables in the results database, one step per change, each as SQLite and PostgreSQL spell it.
/// A results file made before versions were recorded is found at the step it had reached and carried on from there,
/// its rows untouched. PostgreSQL came later: its first step makes the shape SQLite had reached by step 4.
/// </summary>
public static class PredictionStatusSchema
{
    public static readonly StoreSchema Store = new("status",
    [
        new(1,
            sqlite: """
                CREATE TABLE predictions (
                    prediction_id TEXT NOT NULL PRIMARY KEY,
                    status TEXT NOT NULL,
                    item_id INTEGER NOT NULL,
                    feature_value REAL NOT NULL,
                    metadata TEXT NULL,
                    prediction REAL NULL,
                    error TEXT NULL,
                    submitted_at TEXT NULL,
                    completed_at TEXT NULL
                );
                """,
            // Text timestamps as in SQLite, so reads and ordering are the same.
            postgres: """
                CREATE TABLE predictions (
                    prediction_id TEXT NOT NULL PRIMARY KEY,
                    status TEXT NOT NULL,
                    item_id BIGINT NOT NULL,
                    feature_value DOUBLE PRECISION NOT NULL,
                    metadata TEXT NULL,
                    prediction DOUBLE PRECISION NULL,
                    error TEXT NULL,
                    submitted_at TEXT NULL,
                    completed_at TEXT NULL,
                    model_name TEXT NULL,
                    model_version TEXT NULL
                );
                CREATE TABLE prediction_owners (
                    prediction_id TEXT NOT NULL PRIMARY KEY,
                    owner TEXT NOT NULL
                );
                """)
        {
            PresentWhen = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'predictions'",
        },

        // Who submitted a prediction with an API key; predictions stored before it have no owner.
        new(2,
            sqlite: """
                CREATE TABLE prediction_owners (
                    prediction_id TEXT NOT NULL PRIMARY KEY,
                    owner TEXT NOT NULL
                );
                """,
            postgres: null)
        {
            PresentWhen = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'prediction_owners'",
        },

        // Results name the model that computed them. A column per step: files upgraded before versions were
        // recorded gained them one at a time, so one may hold the first without the second.
        new(3, sqlite: "ALTER TABLE predictions ADD COLUMN model_name TEXT NULL;", postgres: null)
        {
            PresentWhen = "SELECT count(*) FROM pragma_table_info('predictions') WHERE name = 'model_name'",
        },
        new(4, sqlite: "ALTER TABLE predictions ADD COLUMN model_version TEXT NULL;", postgres: null)
        {
            PresentWhen = "SELECT count(*) FROM pragma_table_info('predictions') WHERE name = 'model_version'",
        },

        // Which worker reached the outcome: the last tie-break between two outcomes of one prediction.
        new(5, "ALTER TABLE predictions ADD COLUMN worker TEXT NULL;"),

        // Why that version computed it: answered as "route".
        new(6, "ALTER TABLE predictions ADD COLUMN route TEXT NULL;"),
    ]);
}
