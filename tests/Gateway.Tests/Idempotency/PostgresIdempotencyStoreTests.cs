using Predictions.Gateway.Idempotency;
using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Postgres;

namespace Predictions.Gateway.Tests.Idempotency;

/// <summary>The idempotency store on a PostgreSQL database of this test's own.</summary>
public sealed class PostgresIdempotencyStoreTests : IdempotencyStoreTests
{
    private PostgresTestDatabase? _database;

    protected override async Task<StoreDatabase> OpenDatabaseAsync()
    {
        _database ??= await PostgresLocator.CreateDatabaseAsync();
        return new PostgresDatabase(_database.ConnectionString, [IdempotencySchema.Store]);
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
