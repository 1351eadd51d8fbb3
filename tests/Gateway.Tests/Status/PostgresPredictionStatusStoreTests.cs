using Predictions.Gateway.Status;
using Predictions.Harness;
using Predictions.ServiceDefaults.Storage;

namespace Predictions.Gateway.Tests.Status;

/// <summary>The status store on a PostgreSQL database of this test's own.</summary>
public sealed class PostgresPredictionStatusStoreTests : PredictionStatusStoreTests
{
    private PostgresTestDatabase? _database;

    protected override async Task<StoreDatabase> OpenDatabaseAsync()
    {
        _database ??= await PostgresLocator.CreateDatabaseAsync();
        return new PostgresDatabase(_database.ConnectionString, [PredictionStatusSchema.Postgres]);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
