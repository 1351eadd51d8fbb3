using Predictions.Gateway.Rollouts;
using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Postgres;

namespace Predictions.Gateway.Tests.Rollouts;

/// <summary>The rollout store on a PostgreSQL database of this test's own.</summary>
public sealed class PostgresRolloutStoreTests : RolloutStoreTests
{
    private PostgresTestDatabase? _database;

    protected override async Task<StoreDatabase> OpenDatabaseAsync()
    {
        _database ??= await PostgresLocator.CreateDatabaseAsync();
        return new PostgresDatabase(_database.ConnectionString, [RolloutSchema.Store]);
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
