using Predictions.Gateway.Idempotency;
using Predictions.Storage;

namespace Predictions.Gateway.Tests.Idempotency;

/// <summary>The idempotency store's behaviour, run once per provider by the derived classes.</summary>
public abstract class IdempotencyStoreTests : IAsyncLifetime
{
    private readonly List<StoreDatabase> _databases = [];

    protected ManualClock Clock { get; } = new();

    protected StoreDatabase Database => _databases[0];

    protected IdempotencyStore Store => _store;

    private IdempotencyStore _store = null!;

    /// <summary>A new <see cref="StoreDatabase"/> on this test's database: each call is another host on the same data.</summary>
    protected abstract Task<StoreDatabase> OpenDatabaseAsync();

    public async Task InitializeAsync() => _store = await OpenStoreAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }

    protected async Task<IdempotencyStore> OpenStoreAsync()
    {
        var database = await OpenDatabaseAsync();
        _databases.Add(database);
        return new IdempotencyStore(database, Clock);
    }

    [Fact]
    public async Task A_published_key_replays_its_prediction()
    {
        var first = Guid.CreateVersion7();
        Assert.Equal((IdempotencyStore.Outcome.Claimed, first), await _store.ClaimAsync(null, "k", first, "1:2", CancellationToken.None));
        await _store.MarkPublishedAsync(null, "k", CancellationToken.None);

        Assert.Equal(
            (IdempotencyStore.Outcome.Replayed, first), await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
        Assert.Equal(
            (IdempotencyStore.Outcome.Mismatch, first), await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:3", CancellationToken.None));
    }

    [Fact]
    public async Task A_retry_after_an_unconfirmed_publish_claims_the_same_prediction_id()
    {
        // The broker may have stored the first attempt: publishing the same id again keeps it one prediction.
        var first = Guid.CreateVersion7();
        await _store.ClaimAsync(null, "k", first, "1:2", CancellationToken.None);
        Assert.Equal(
            IdempotencyStore.Outcome.InProgress, (await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None)).Outcome);

        await _store.ReleaseAsync(null, "k", CancellationToken.None);

        Assert.Equal(
            (IdempotencyStore.Outcome.Claimed, first), await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
    }

    [Fact]
    public async Task An_abandoned_claim_is_taken_over_with_its_id_but_never_by_a_different_request()
    {
        var first = Guid.CreateVersion7();
        await _store.ClaimAsync(null, "k", first, "1:2", CancellationToken.None);
        Clock.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(
            (IdempotencyStore.Outcome.Mismatch, first), await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "9:9", CancellationToken.None));
        Assert.Equal(
            (IdempotencyStore.Outcome.Claimed, first), await _store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
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
        Assert.Equal(
            (IdempotencyStore.Outcome.Replayed, alices),
            await _store.ClaimAsync("alice", "k", Guid.CreateVersion7(), "1:2", CancellationToken.None));
    }

    [Fact]
    public async Task The_same_key_claimed_by_two_hosts_at_once_makes_one_claim()
    {
        var other = await OpenStoreAsync();
        var keys = Enumerable.Range(0, 30).Select(i => $"k{i}").ToList();
        Task<(IdempotencyStore.Outcome Outcome, Guid PredictionId)[]> ClaimAll(IdempotencyStore store) =>
            Task.WhenAll(keys.Select(key => store.ClaimAsync(null, key, Guid.CreateVersion7(), "1:2", CancellationToken.None)));

        var outcomes = await Task.WhenAll(Task.Run(() => ClaimAll(_store)), Task.Run(() => ClaimAll(other)));

        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Equal(
                [IdempotencyStore.Outcome.Claimed, IdempotencyStore.Outcome.InProgress],
                new[] { outcomes[0][i].Outcome, outcomes[1][i].Outcome }.Order());
            Assert.Equal(outcomes[0][i].PredictionId, outcomes[1][i].PredictionId);
        }
    }
}
