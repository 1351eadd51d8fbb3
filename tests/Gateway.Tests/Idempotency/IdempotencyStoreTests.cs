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
        _database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "results.db")}", IdempotencyStore.Schema);
        _store = new IdempotencyStore(_database, _clock);
    }

    [Fact]
    public async Task A_published_key_replays_its_prediction()
    {
        var first = Guid.CreateVersion7();
        Assert.Equal((IdempotencyStore.Outcome.Claimed, first), await _store.ClaimAsync("k", first, "1:2", CancellationToken.None));
        await _store.MarkPublishedAsync("k", CancellationToken.None);

        Assert.Equal((IdempotencyStore.Outcome.Replayed, first), await _store.ClaimAsync("k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
        Assert.Equal((IdempotencyStore.Outcome.Mismatch, first), await _store.ClaimAsync("k", Guid.CreateVersion7(), "1:3", CancellationToken.None));
    }

    [Fact]
    public async Task A_retry_after_an_unconfirmed_publish_claims_the_same_prediction_id()
    {
        // The broker may have stored the first attempt: publishing the same id again keeps it one prediction.
        var first = Guid.CreateVersion7();
        await _store.ClaimAsync("k", first, "1:2", CancellationToken.None);
        Assert.Equal(IdempotencyStore.Outcome.InProgress, (await _store.ClaimAsync("k", Guid.CreateVersion7(), "1:2", CancellationToken.None)).Outcome);

        await _store.ReleaseAsync("k", CancellationToken.None);

        Assert.Equal((IdempotencyStore.Outcome.Claimed, first), await _store.ClaimAsync("k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
    }

    [Fact]
    public async Task An_abandoned_claim_is_taken_over_with_its_id_but_never_by_a_different_request()
    {
        var first = Guid.CreateVersion7();
        await _store.ClaimAsync("k", first, "1:2", CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal((IdempotencyStore.Outcome.Mismatch, first), await _store.ClaimAsync("k", Guid.CreateVersion7(), "9:9", CancellationToken.None));
        Assert.Equal((IdempotencyStore.Outcome.Claimed, first), await _store.ClaimAsync("k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
    }

    public void Dispose()
    {
        _database.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
