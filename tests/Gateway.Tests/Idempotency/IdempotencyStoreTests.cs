using Microsoft.Data.Sqlite;
using Predictions.Gateway.Idempotency;
using Predictions.ServiceDefaults.Storage;

namespace Predictions.Gateway.Tests.Idempotency;

public sealed class IdempotencyStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("idempotency-store-").FullName;
    private readonly ManualClock _clock = new();
    private readonly SqliteDatabase _database;
    private readonly IdempotencyStore _store;

    public IdempotencyStoreTests()
    {
        _database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "results.db")}", [IdempotencySchema.Store]);
        _store = new IdempotencyStore(_database, _clock);
    }

    [Fact]
    public async Task A_published_key_replays_its_prediction()
    {
        var first = Guid.CreateVersion7();
        Assert.Equal((IdempotencyStore.Outcome.Claimed, first), await _store.ClaimAsync(null, "k", first, "1:2", CancellationToken.None));
        await _store.MarkPublishedAsync(null, "k", CancellationToken.None);

        Assert.Equal((IdempotencyStore.Outcome.Replayed, first), await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
        Assert.Equal((IdempotencyStore.Outcome.Mismatch, first), await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:3", CancellationToken.None));
    }

    [Fact]
    public async Task A_retry_after_an_unconfirmed_publish_claims_the_same_prediction_id()
    {
        // The broker may have stored the first attempt: publishing the same id again keeps it one prediction.
        var first = Guid.CreateVersion7();
        await _store.ClaimAsync(null, "k", first, "1:2", CancellationToken.None);
        Assert.Equal(IdempotencyStore.Outcome.InProgress, (await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None)).Outcome);

        await _store.ReleaseAsync(null, "k", CancellationToken.None);

        Assert.Equal((IdempotencyStore.Outcome.Claimed, first), await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
    }

    [Fact]
    public async Task An_abandoned_claim_is_taken_over_with_its_id_but_never_by_a_different_request()
    {
        var first = Guid.CreateVersion7();
        await _store.ClaimAsync(null, "k", first, "1:2", CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal((IdempotencyStore.Outcome.Mismatch, first), await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "9:9", CancellationToken.None));
        Assert.Equal((IdempotencyStore.Outcome.Claimed, first), await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
    }

    [Fact]
    public async Task The_same_key_from_two_owners_makes_two_predictions()
    {
        var alices = Guid.CreateVersion7();
        var bobs = Guid.CreateVersion7();
        await _store.ClaimAsync("alice", "k", alices, "1:2", CancellationToken.None);
        await _store.MarkPublishedAsync("alice", "k", CancellationToken.None);

        Assert.Equal((IdempotencyStore.Outcome.Claimed, bobs), await _store.ClaimAsync("bob", "k", bobs, "1:2", CancellationToken.None));
        Assert.Equal((IdempotencyStore.Outcome.Claimed, Guid.Empty), await _store.ClaimAsync(null, "k", Guid.Empty, "1:2", CancellationToken.None));
        Assert.Equal((IdempotencyStore.Outcome.Replayed, alices), await _store.ClaimAsync("alice", "k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
    }

    [Fact]
    public async Task A_claim_given_up_while_another_connection_locks_the_store_never_lands_so_the_retry_claims_the_key()
    {
        await _database.EnsureCreatedAsync();
        var retry = Guid.CreateVersion7();
        await using (await LockAsync())
        {
            using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", giveUp.Token));
        }

        // Had the abandoned claim been written once the lock was gone, the retry would hear 409 for minutes.
        Assert.Equal((IdempotencyStore.Outcome.Claimed, retry), await _store.ClaimAsync(null, "k", retry, "1:2", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
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
        var store = new IdempotencyStore(upgraded, _clock);

        Assert.Equal((IdempotencyStore.Outcome.Replayed, earlier), await store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
        Assert.Equal(IdempotencyStore.Outcome.Claimed, (await store.ClaimAsync("alice", "k", Guid.CreateVersion7(), "1:2", CancellationToken.None)).Outcome);
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

    public void Dispose()
    {
        _database.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
