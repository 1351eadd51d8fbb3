using System.Text.Json;
using Predictions.Gateway.Rollouts;
using Predictions.Messaging.Rollouts;
using Predictions.Storage;

namespace Predictions.Gateway.Tests.Rollouts;

/// <summary>The rollout store's behaviour, run once per provider by the derived classes.</summary>
public abstract class RolloutStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static readonly RolloutState Seed = new()
    {
        Models = new Dictionary<string, ModelRollout>
        {
            ["iris"] = new() { Loaded = [1, 2], Aliases = new Dictionary<string, int> { [RouteReasons.StableAlias] = 2 } },
        },
    };

    private readonly List<StoreDatabase> _databases = [];

    private RolloutStore _store = null!;

    protected ManualClock Clock { get; } = new();

    /// <summary>A new <see cref="StoreDatabase"/> on this test's database: each call is another gateway on the same data.</summary>
    protected abstract Task<StoreDatabase> OpenDatabaseAsync();

    public async Task InitializeAsync() => _store = await OpenStoreAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Nothing_stored_reads_null_and_a_change_that_keeps_the_seed_stores_nothing()
    {
        Assert.Null(await _store.ReadAsync(CancellationToken.None));

        var unchanged = await _store.ChangeAsync(Seed, state => state.With("iris", state.Of("iris")!), CancellationToken.None);

        Assert.Same(Seed, unchanged);
        Assert.Null(await _store.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_change_is_stored_whole_and_read_back_as_written()
    {
        var stopped = new DateTimeOffset(2026, 1, 1, 12, 30, 0, TimeSpan.Zero);
        var written = await _store.ChangeAsync(Seed, state => state.With("iris", new ModelRollout
        {
            Loaded = [2, 3, 4],
            Retired = [1],
            Aliases = new Dictionary<string, int> { [RouteReasons.StableAlias] = 2, ["next"] = 3 },
            Canary = new TrafficSplit
            {
                Version = 3,
                Percent = 12.5,
                MaxErrorRate = 0.05,
                MaxP95Milliseconds = 250,
                StoppedReason = "errors",
                StoppedAt = stopped,
            },
            Shadow = new TrafficSplit { Version = 4, Percent = 100 },
        }).With("digits", new ModelRollout { Loaded = [7] }), CancellationToken.None);

        var read = await _store.ReadAsync(CancellationToken.None);

        Assert.Equal((1L, true), (written.Revision, written.Stored));
        Assert.NotNull(read);
        Assert.Equal((1L, true), (read.Revision, read.Stored));
        Assert.Equal(Content(written), Content(read));
        Assert.Equal(3, read.Of("iris")!.Canary!.Version);
        Assert.Equal(stopped, read.Of("iris")!.Canary!.StoppedAt);
        Assert.Equal(2, read.Of("iris")!.Stable);
    }

    [Fact]
    public async Task The_revision_grows_by_one_per_change_and_not_for_a_change_that_changes_nothing()
    {
        var first = await _store.ChangeAsync(Seed, state => Load(state, 3), CancellationToken.None);
        var second = await _store.ChangeAsync(Seed, state => Load(state, 4), CancellationToken.None);

        // New collections with the same content, the aliases in another order, are no change.
        var same = await _store.ChangeAsync(Seed, state => state.With("iris", state.Of("iris")! with
        {
            Loaded = [.. state.Of("iris")!.Loaded],
            Aliases = state.Of("iris")!.Aliases.Reverse().ToDictionary(),
        }), CancellationToken.None);

        Assert.Equal([1L, 2L, 2L], new[] { first.Revision, second.Revision, same.Revision });
        Assert.True(same.Stored);
        Assert.Equal(Content(second), Content(same));
        Assert.Equal(2L, (await _store.ReadAsync(CancellationToken.None))?.Revision);
    }

    [Fact]
    public async Task The_state_survives_reopening_the_database()
    {
        var written = await _store.ChangeAsync(Seed, state => Load(state, 3), CancellationToken.None);
        await _databases[0].DisposeAsync();
        _databases.RemoveAt(0);

        var reopened = await OpenStoreAsync();
        var read = await reopened.ReadAsync(CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(1L, read.Revision);
        Assert.Equal(Content(written), Content(read));
    }

    [Fact]
    public async Task Changes_two_gateways_make_at_once_both_land_one_revision_each()
    {
        var other = await OpenStoreAsync();

        // The first race is over the row's insert, the second over its update.
        await RaceAsync(_store, 3, other, 4);
        await RaceAsync(_store, 5, other, 6);

        var read = await _store.ReadAsync(CancellationToken.None);
        Assert.Equal(4L, read?.Revision);
        Assert.Equal([1, 2, 3, 4, 5, 6], read!.Of("iris")!.Loaded.Order());
    }

    /// <summary>Each gateway loads its version, both having read the state before either writes: one must lose and apply again.</summary>
    private static async Task RaceAsync(RolloutStore first, int firstVersion, RolloutStore second, int secondVersion)
    {
        using var bothRead = new Barrier(2);
        var calls = 0;
        Func<RolloutState, RolloutState> Loading(int version)
        {
            var waited = false;
            return state =>
            {
                Interlocked.Increment(ref calls);
                if (!waited && !bothRead.SignalAndWait(Deadline))
                {
                    throw new TimeoutException("The other gateway never read the state.");
                }

                waited = true;
                return Load(state, version);
            };
        }

        var written = await Task.WhenAll(
            Task.Run(() => first.ChangeAsync(Seed, Loading(firstVersion), CancellationToken.None)),
            Task.Run(() => second.ChangeAsync(Seed, Loading(secondVersion), CancellationToken.None))).WaitAsync(Deadline);

        Assert.Equal(3, calls);
        Assert.Equal(1, Math.Abs(written[0].Revision - written[1].Revision));
    }

    /// <summary>Loads <paramref name="version"/> of iris and names it after itself.</summary>
    private static RolloutState Load(RolloutState state, int version)
    {
        var iris = state.Of("iris")!;
        return state.With("iris", iris with
        {
            Loaded = [.. iris.Loaded, version],
            Aliases = new Dictionary<string, int>(iris.Aliases) { [$"v{version}"] = version },
        });
    }

    private static string Content(RolloutState state) => JsonSerializer.Serialize(state.Models, JsonSerializerOptions.Web);

    private async Task<RolloutStore> OpenStoreAsync()
    {
        var database = await OpenDatabaseAsync();
        _databases.Add(database);
        return new RolloutStore(database, Clock);
    }
}
