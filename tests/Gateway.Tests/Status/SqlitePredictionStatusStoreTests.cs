using Microsoft.Data.Sqlite;
using Predictions.Gateway.Status;
using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Sqlite;

namespace Predictions.Gateway.Tests.Status;

/// <summary>The status store on a SQLite file, and what only a file can be: one made by an earlier release.</summary>
public sealed class SqlitePredictionStatusStoreTests : PredictionStatusStoreTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("status-store-").FullName;

    protected override Task<StoreDatabase> OpenDatabaseAsync() =>
        Task.FromResult<StoreDatabase>(new SqliteDatabase($"Data Source={Path.Combine(_folder, "results.db")}", [PredictionStatusSchema.Store]));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_database_made_before_results_named_their_model_gains_the_columns_and_keeps_its_rows()
    {
        var path = Path.Combine(_folder, "old-results.db");
        const string old = """
            CREATE TABLE predictions (
                prediction_id TEXT NOT NULL PRIMARY KEY, status TEXT NOT NULL, item_id INTEGER NOT NULL,
                feature_value REAL NOT NULL, metadata TEXT NULL, prediction REAL NULL, error TEXT NULL,
                submitted_at TEXT NULL, completed_at TEXT NULL);
            CREATE TABLE prediction_owners (prediction_id TEXT NOT NULL PRIMARY KEY, owner TEXT NOT NULL);
            """;
        var earlier = Request();
        await SqliteFile.ExecuteAsync(path, old);
        await using (var before = new SqliteDatabase($"Data Source={path}", []))
        {
            await new PredictionStatusStore(before).AddQueuedAsync([earlier], owner: null, CancellationToken.None);
        }

        await using var upgraded = new SqliteDatabase($"Data Source={path}", [PredictionStatusSchema.Store]);
        var store = new PredictionStatusStore(upgraded);
        await store.AddOutcomesAsync([Completed(earlier, prediction: 10)], CancellationToken.None);

        var record = await store.FindAsync(earlier.PredictionId, reader: null, CancellationToken.None);
        Assert.Equal(PredictionStatus.Completed, record?.Status);
        Assert.Equal("item-scorer", record?.Model?.Name);
    }
}
