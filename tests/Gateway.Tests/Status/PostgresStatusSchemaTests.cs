using Predictions.Gateway.Status;
using Predictions.Harness;
using Predictions.Storage.Postgres;

namespace Predictions.Gateway.Tests.Status;

/// <summary>A PostgreSQL results database the earlier release made, with its own step numbers, is carried on.</summary>
public sealed class PostgresStatusSchemaTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // What the release with PostgreSQL's own list ran as its step 1, and recorded so.
    private const string EarlierStepOne = """
        CREATE TABLE schema_migrations (store TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (store, version));
        CREATE TABLE predictions (
            prediction_id TEXT NOT NULL PRIMARY KEY, status TEXT NOT NULL, item_id BIGINT NOT NULL, feature_value DOUBLE PRECISION NOT NULL,
            metadata TEXT NULL, prediction DOUBLE PRECISION NULL, error TEXT NULL, submitted_at TEXT NULL, completed_at TEXT NULL,
            model_name TEXT NULL, model_version TEXT NULL);
        CREATE TABLE prediction_owners (prediction_id TEXT NOT NULL PRIMARY KEY, owner TEXT NOT NULL);
        INSERT INTO schema_migrations VALUES ('status', 1, '2026-01-01T00:00:00.0000000Z');
        INSERT INTO predictions (prediction_id, status, item_id, feature_value) VALUES ('0198c2a4-0000-7000-8000-000000000001', 'queued', 9, 2.5);
        """;

    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresLocator.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_database_at_the_earlier_step_one_gets_only_the_worker_column_as_its_step_two_and_keeps_its_rows()
    {
        await _database.ExecuteAsync(EarlierStepOne);

        await using (var database = new PostgresDatabase(_database.ConnectionString, [PredictionStatusSchema.Store]))
        {
            await database.EnsureCreatedAsync().WaitAsync(Deadline);
        }

        Assert.Equal(2L, await _database.ScalarAsync<long>("SELECT count(*) FROM schema_migrations WHERE store = 'status'"));
        Assert.Equal(2, await _database.ScalarAsync<int>("SELECT max(version) FROM schema_migrations WHERE store = 'status'"));
        Assert.Equal(1L, await _database.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'predictions' AND column_name = 'worker'"));
        Assert.Equal(1L, await _database.ScalarAsync<long>("SELECT count(*) FROM predictions"));
    }

    [Fact]
    public async Task A_database_the_earlier_release_brought_to_its_step_two_runs_nothing()
    {
        await _database.ExecuteAsync(EarlierStepOne + """
            ALTER TABLE predictions ADD COLUMN worker TEXT NULL;
            INSERT INTO schema_migrations VALUES ('status', 2, '2026-01-02T00:00:00.0000000Z');
            """);

        await using (var database = new PostgresDatabase(_database.ConnectionString, [PredictionStatusSchema.Store]))
        {
            await database.EnsureCreatedAsync().WaitAsync(Deadline);
        }

        Assert.Equal(2L, await _database.ScalarAsync<long>("SELECT count(*) FROM schema_migrations WHERE store = 'status'"));
    }
}
