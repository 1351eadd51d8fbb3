using Microsoft.Extensions.Hosting;
using Predictions.Gateway.Idempotency;
using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Postgres;
using Predictions.Storage.Sqlite;
using Predictions.Tests.Shared.Schemas;

namespace Predictions.Gateway.Tests.Idempotency;

/// <summary>The idempotency store's table: made new, carried on from what an earlier release left, and reported when a step fails.</summary>
public sealed class IdempotencySchemaTests() : StoreSchemaTests(IdempotencySchema.Store)
{
    // The table as the gateway first shipped it: keys without owners.
    internal const string FirstShipped = """
        CREATE TABLE IF NOT EXISTS idempotency_keys (
            idempotency_key TEXT NOT NULL PRIMARY KEY,
            prediction_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            published INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        """ + UnownedRows;

    private const string UnownedRows = """
        INSERT INTO idempotency_keys VALUES ('k', '0198c2a4-0000-7000-8000-000000000001', '1:2', 1, '2026-01-01T00:00:00.0000000Z');
        INSERT INTO idempotency_keys VALUES ('pending', '0198c2a4-0000-7000-8000-000000000002', '1:3', 0, '2026-01-01T00:00:01.0000000Z');
        """;

    // The table of owned keys, which later releases made first and then moved the keys into.
    internal const string Owned = """
        CREATE TABLE IF NOT EXISTS owned_idempotency_keys (
            owner TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            prediction_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            published INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (owner, idempotency_key)
        );
        INSERT INTO owned_idempotency_keys VALUES ('alice', 'k', '0198c2a4-0000-7000-8000-000000000003', '1:2', 1, '2026-01-02T00:00:00.0000000Z');
        """;

    internal const string MovedKeys = """
        INSERT INTO owned_idempotency_keys SELECT '', * FROM idempotency_keys;
        DROP TABLE idempotency_keys;
        """;

    private const string ReadKeys = """
        SELECT owner, idempotency_key, prediction_id, fingerprint, published, created_at
        FROM owned_idempotency_keys ORDER BY owner, idempotency_key
        """;

    private static readonly Guid Earlier = Guid.Parse("0198c2a4-0000-7000-8000-000000000001");

    private static readonly string[] UnownedKeys =
    [
        "|k|0198c2a4-0000-7000-8000-000000000001|1:2|1|2026-01-01T00:00:00.0000000Z",
        "|pending|0198c2a4-0000-7000-8000-000000000002|1:3|0|2026-01-01T00:00:01.0000000Z",
    ];

    private const string AlicesKey = "alice|k|0198c2a4-0000-7000-8000-000000000003|1:2|1|2026-01-02T00:00:00.0000000Z";

    private readonly ManualClock _clock = new();

    /// <summary>Every shape a results file's keys could have before schema versions were recorded, and the keys it must end with.</summary>
    public static TheoryData<string, string, string[]> EarlierShapes => new()
    {
        { "as first shipped", FirstShipped, UnownedKeys },
        { "stopped between making the owned table and moving the keys into it", FirstShipped + Owned, [.. UnownedKeys, AlicesKey] },
        { "keys moved to owners, as the last release before versions left them", FirstShipped + Owned + MovedKeys, [.. UnownedKeys, AlicesKey] },
    };

    [Theory]
    [MemberData(nameof(EarlierShapes))]
    public async Task A_file_from_before_versions_is_upgraded_at_start_keeps_its_keys_and_ends_at_the_latest_version(
        string shape, string earlier, string[] keys)
    {
        var path = Path.Combine(Folder, "results.db");
        await SqliteFile.ExecuteAsync(path, earlier);

        await using (var database = SqliteAt(path))
        {
            var store = new IdempotencyStore(database, _clock);
            var claim = await store.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None);
            Assert.Equal((IdempotencyStore.Outcome.Replayed, Earlier), claim);
        }

        Assert.Equal(keys, await SqliteFile.RowsAsync(path, ReadKeys));
        Assert.Equal(LatestVersions, await SqliteFile.VersionsAsync(path, IdempotencySchema.Store.Store));
        var upgraded = await SqliteFile.ShapeAsync(path);
        Assert.True((await FreshSqliteShapeAsync()).SequenceEqual(upgraded), $"{shape}:\n{string.Join('\n', upgraded)}");
    }

    [Fact]
    public async Task A_new_file_gets_every_step_the_latest_version_and_the_table_the_last_release_before_versions_left()
    {
        var earlier = Path.Combine(Folder, "earlier.db");
        await SqliteFile.ExecuteAsync(earlier, FirstShipped + Owned + MovedKeys);

        var path = Path.Combine(Folder, "new", "results.db");
        await using (var database = SqliteAt(path))
        {
            var store = new IdempotencyStore(database, _clock);
            var claim = await store.ClaimAsync("alice", "k", Guid.CreateVersion7(), "1:2", CancellationToken.None);
            Assert.Equal(IdempotencyStore.Outcome.Claimed, claim.Outcome);
        }

        Assert.Equal(LatestVersions, await SqliteFile.VersionsAsync(path, IdempotencySchema.Store.Store));
        Assert.Equal(await SqliteFile.ShapeAsync(earlier), await SqliteFile.ShapeAsync(path));
    }

    [Fact]
    public async Task Starting_again_on_an_upgraded_file_changes_nothing()
    {
        var path = Path.Combine(Folder, "results.db");
        await SqliteFile.ExecuteAsync(path, FirstShipped);
        await using (var first = SqliteAt(path))
        {
            await first.EnsureCreatedAsync();
        }

        var before = await SqliteFile.SchemaAsync(path);
        await using (var second = SqliteAt(path))
        {
            await second.EnsureCreatedAsync();
        }

        Assert.Equal(before, await SqliteFile.SchemaAsync(path));
        Assert.Equal(UnownedKeys, await SqliteFile.RowsAsync(path, ReadKeys));
    }

    [Fact]
    public async Task A_step_that_fails_stops_the_gateway_naming_the_setting_the_file_and_the_step()
    {
        // Recorded at version 1, yet its table is gone (dropped by hand): step 2 has no keys to move.
        var path = Path.Combine(Folder, "results.db");
        var firstStep = new StoreSchema(IdempotencySchema.Store.Store, [IdempotencySchema.Store.Steps[0]]);
        await using (var atFirstVersion = new SqliteDatabase($"Data Source={path}", [firstStep]))
        {
            await atFirstVersion.EnsureCreatedAsync();
        }

        await SqliteFile.ExecuteAsync(path, "DROP TABLE idempotency_keys;");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Folder, DisableDefaults = true });
        builder.Configuration["ConnectionStrings:Results"] = $"Data Source={path}";
        builder.AddIdempotency();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:Results", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Migration 2 of the idempotency schema failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such table: idempotency_keys", error.Message, StringComparison.Ordinal);
        Assert.Equal([1], await SqliteFile.VersionsAsync(path, IdempotencySchema.Store.Store));
        Assert.Empty(await SqliteFile.RowsAsync(path, "SELECT name FROM sqlite_master WHERE name = 'owned_idempotency_keys'"));
    }

    protected override string ReadKeptRows => ReadKeys;

    protected override IReadOnlyList<string> KeptRows => UnownedKeys;

    // SQLite's first step made the table of keys without owners; PostgreSQL's, the owned one, where they are ''s.
    protected override string RowsAtFirstStep(string database) => database == PostgresProvider.Name
        ? """
            INSERT INTO owned_idempotency_keys VALUES
                ('', 'k', '0198c2a4-0000-7000-8000-000000000001', '1:2', 1, '2026-01-01T00:00:00.0000000Z'),
                ('', 'pending', '0198c2a4-0000-7000-8000-000000000002', '1:3', 0, '2026-01-01T00:00:01.0000000Z');
            """
        : UnownedRows;
}
