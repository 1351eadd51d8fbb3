using Microsoft.Data.Sqlite;
using Predictions.Gateway.Rollouts;
using Predictions.Storage;
using Predictions.Storage.Sqlite;

namespace Predictions.Gateway.Tests.Rollouts;

/// <summary>The rollout store on a SQLite file.</summary>
public sealed class SqliteRolloutStoreTests : RolloutStoreTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rollout-store-").FullName;

    protected override Task<StoreDatabase> OpenDatabaseAsync() =>
        Task.FromResult<StoreDatabase>(new SqliteDatabase($"Data Source={Path.Combine(_folder, "results.db")}", [RolloutSchema.Store]));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
