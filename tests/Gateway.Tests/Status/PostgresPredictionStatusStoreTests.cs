using Predictions.Gateway.Status;
using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Postgres;

namespace Predictions.Gateway.Tests.Status;

/// <summary>The status store on a PostgreSQL database of this test's own, which sorts text by locale.</summary>
public sealed class PostgresPredictionStatusStoreTests : PredictionStatusStoreTests
{
    private PostgresTestDatabase? _database;

    protected override async Task<StoreDatabase> OpenDatabaseAsync()
    {
        // Text sorted by locale, as on a server made with a language's locale: the stores must compare byte by byte anyway.
        _database ??= await PostgresLocator.CreateDatabaseAsync(icuLocale: "en-US");
        return new PostgresDatabase(_database.ConnectionString, [PredictionStatusSchema.Store]);
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
