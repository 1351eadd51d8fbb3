using Microsoft.Data.Sqlite;
using Predictions.Gateway.Idempotency;
using Predictions.Storage;
using Predictions.Storage.Sqlite;

namespace Predictions.Gateway.Tests.Idempotency;

/// <summary>
/// The idempotency store on a SQLite file, and what only a file can be: locked by another process while a
/// claim waits in the writer's queue, or made by an earlier release.
/// </summary>
public sealed class SqliteIdempotencyStoreTests : IdempotencyStoreTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("idempotency-store-").FullName;

    protected override Task<StoreDatabase> OpenDatabaseAsync() =>
        Task.FromResult<StoreDatabase>(new SqliteDatabase($"Data Source={Path.Combine(_folder, "results.db")}", [IdempotencySchema.Store]));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_claim_given_up_while_another_connection_locks_the_store_never_lands_so_the_retry_claims_the_key()
    {
        await Database.EnsureCreatedAsync();
        var retry = Guid.CreateVersion7();
        await using (await LockAsync())
        {
            using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", giveUp.Token));
        }

        // Had the abandoned claim been written once the lock was gone, the retry would hear 409 for minutes.
        Assert.Equal(
            (IdempotencyStore.Outcome.Claimed, retry),
            await Store.ClaimAsync(null, "k", retry, "1:2", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Keys_stored_before_owners_existed_are_kept_for_requests_without_an_owner()
    {
        var path = Path.Combine(_folder, "old.db");
        var earlier = Guid.CreateVersion7();
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE idempotency_keys (idempotency_key TEXT NOT NULL PRIMARY KEY, prediction_id TEXT NOT NULL,
                    fingerprint TEXT NOT NULL, published INTEGER NOT NULL, created_at TEXT NOT NULL);
                INSERT INTO idempotency_keys VALUES ('k', '{earlier}', '1:2', 1, '2026-01-01T00:00:00.0000000Z');
                """;
            await command.ExecuteNonQueryAsync();
        }

        await using var upgraded = new SqliteDatabase($"Data Source={path}", [IdempotencySchema.Store]);
        var store = new IdempotencyStore(upgraded, Clock);

        Assert.Equal(
            (IdempotencyStore.Outcome.Replayed, earlier), await store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
        Assert.Equal(
            IdempotencyStore.Outcome.Claimed, (await store.ClaimAsync("alice", "k", Guid.CreateVersion7(), "1:2", CancellationToken.None)).Outcome);
    }

    /// <summary>Another process holding the file's write lock, until disposed.</summary>
    private async Task<SqliteConnection> LockAsync()
    {
        var holder = new SqliteConnection($"Data Source={Path.Combine(_folder, "results.db")};Pooling=False");
        await holder.OpenAsync();
        await using var exclusive = holder.CreateCommand();
        exclusive.CommandText = "BEGIN EXCLUSIVE";
        await exclusive.ExecuteNonQueryAsync();
        return holder;
    }
}
