using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Postgres;
using Predictions.Worker.Audit;

namespace Predictions.Worker.Tests.Audit;

/// <summary>The audit store on a PostgreSQL database of this test's own, which sorts text by locale.</summary>
public sealed class PostgresAuditStoreTests : AuditStoreTests
{
    private PostgresTestDatabase? _database;

    protected override async Task<StoreDatabase> OpenDatabaseAsync()
    {
        // Text sorted by locale, as on a server made with a language's locale: the stores must compare byte by byte anyway.
        _database ??= await PostgresLocator.CreateDatabaseAsync(icuLocale: "en-US");
        return new PostgresDatabase(_database.ConnectionString, [AuditSchema.Store]);
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
