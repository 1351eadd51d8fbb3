using Microsoft.Extensions.Hosting;
using Predictions.Contracts;
using Predictions.Gateway.Status;
using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Postgres;
using Predictions.Storage.Sqlite;
using Predictions.Tests.Shared.Schemas;

namespace Predictions.Gateway.Tests.Status;

/// <summary>The status store's tables: made new, carried on from what an earlier release left, and reported when a step fails.</summary>
public sealed class PredictionStatusSchemaTests() : StoreSchemaTests(PredictionStatusSchema.Store)
{
    // The table as the gateway first shipped it; later releases added owners, then the model's columns one at a time.
    private const string FirstShipped = """
        CREATE TABLE IF NOT EXISTS predictions (
            prediction_id TEXT NOT NULL PRIMARY KEY,
            status TEXT NOT NULL,
            item_id INTEGER NOT NULL,
            feature_value REAL NOT NULL,
            metadata TEXT NULL,
            prediction REAL NULL,
            error TEXT NULL,
            submitted_at TEXT NULL,
            completed_at TEXT NULL
        );
        """;

    internal const string Owners = """
        CREATE TABLE IF NOT EXISTS prediction_owners (
            prediction_id TEXT NOT NULL PRIMARY KEY,
            owner TEXT NOT NULL
        );
        """;

    // The tables as the last release before schema versions made a new file.
    internal const string MadeByLastUnversionedRelease = """
        CREATE TABLE IF NOT EXISTS predictions (
            prediction_id TEXT NOT NULL PRIMARY KEY,
            status TEXT NOT NULL,
            item_id INTEGER NOT NULL,
            feature_value REAL NOT NULL,
            metadata TEXT NULL,
            prediction REAL NULL,
            error TEXT NULL,
            submitted_at TEXT NULL,
            completed_at TEXT NULL,
            model_name TEXT NULL,
            model_version TEXT NULL
        );
        """ + Owners;

    private const string AddModelName = "ALTER TABLE predictions ADD COLUMN model_name TEXT NULL;";
    private const string AddModelVersion = "ALTER TABLE predictions ADD COLUMN model_version TEXT NULL;";

    // The steps since versions were recorded, which no file from before them can have.
    private const string StepsSinceVersions = """
        ALTER TABLE predictions ADD COLUMN worker TEXT NULL;
        ALTER TABLE predictions ADD COLUMN route TEXT NULL;
        """;

    internal const string EarlierPredictions = """
        INSERT INTO predictions (prediction_id, status, item_id, feature_value, submitted_at)
        VALUES ('0198c2a4-0000-7000-8000-000000000001', 'queued', 3, 5, '2026-01-02T03:04:05.0000000Z');
        INSERT INTO predictions (prediction_id, status, item_id, feature_value, metadata, prediction, submitted_at, completed_at)
        VALUES ('0198c2a4-0000-7000-8000-000000000002', 'completed', 4, 1.5, '{"price":2}', 3,
                '2026-01-02T03:04:05.0000000Z', '2026-01-02T03:04:06.0000000Z');
        """;

    internal const string EarlierOwner = "INSERT INTO prediction_owners VALUES ('0198c2a4-0000-7000-8000-000000000002', 'alice');";

    private const string ReadPredictions = """
        SELECT prediction_id, status, item_id, feature_value, metadata, prediction, error, submitted_at, completed_at
        FROM predictions ORDER BY prediction_id
        """;

    // What the release with PostgreSQL's own list ran as its step 1, and recorded so.
    private const string PostgresEarlierStepOne = """
        CREATE TABLE schema_migrations (store TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (store, version));
        CREATE TABLE predictions (
            prediction_id TEXT NOT NULL PRIMARY KEY, status TEXT NOT NULL, item_id BIGINT NOT NULL, feature_value DOUBLE PRECISION NOT NULL,
            metadata TEXT NULL, prediction DOUBLE PRECISION NULL, error TEXT NULL, submitted_at TEXT NULL, completed_at TEXT NULL,
            model_name TEXT NULL, model_version TEXT NULL);
        CREATE TABLE prediction_owners (prediction_id TEXT NOT NULL PRIMARY KEY, owner TEXT NOT NULL);
        INSERT INTO schema_migrations VALUES ('status', 1, '2026-01-01T00:00:00.0000000Z');
        INSERT INTO predictions (prediction_id, status, item_id, feature_value) VALUES ('0198c2a4-0000-7000-8000-000000000001', 'queued', 9, 2.5);
        """;

    private static readonly Guid Queued = Guid.Parse("0198c2a4-0000-7000-8000-000000000001");
    private static readonly Guid Owned = Guid.Parse("0198c2a4-0000-7000-8000-000000000002");

    /// <summary>Every shape a results file's status tables could have before schema versions were recorded, with rows.</summary>
    public static TheoryData<string, string> EarlierShapes => new()
    {
        { "as first shipped", FirstShipped + EarlierPredictions },
        { "first shipped, then given owners", FirstShipped + Owners + EarlierPredictions + EarlierOwner },
        { "stopped between adding the model's two columns", FirstShipped + Owners + AddModelName + EarlierPredictions + EarlierOwner },
        {
            "first shipped, then given owners and the model's columns",
            FirstShipped + Owners + AddModelName + AddModelVersion + EarlierPredictions + EarlierOwner
        },
        { "made new by the last release before versions", MadeByLastUnversionedRelease + EarlierPredictions + EarlierOwner },
    };

    [Theory]
    [MemberData(nameof(EarlierShapes))]
    public async Task A_file_from_before_versions_is_upgraded_at_start_keeps_its_rows_and_ends_at_the_latest_version(string shape, string earlier)
    {
        var path = Path.Combine(Folder, "results.db");
        await SqliteFile.ExecuteAsync(path, earlier);
        var earlierRows = await SqliteFile.RowsAsync(path, ReadPredictions);
        Assert.Equal(2, earlierRows.Count);

        await using (var database = SqliteAt(path))
        {
            var store = new PredictionStatusStore(database);
            Assert.Equal(PredictionStatus.Completed, (await store.FindAsync(Owned, reader: "alice", CancellationToken.None))?.Status);
            Assert.Single(await store.AddOutcomesAsync([Completed(Queued)], CancellationToken.None));
        }

        var upgradedRows = await SqliteFile.RowsAsync(path, ReadPredictions);
        Assert.Equal(earlierRows[1], upgradedRows[1]);
        Assert.StartsWith($"{Queued}|completed|3|5|", upgradedRows[0], StringComparison.Ordinal);
        Assert.Equal(LatestVersions, await SqliteFile.VersionsAsync(path, PredictionStatusSchema.Store.Store));
        var upgraded = await SqliteFile.ShapeAsync(path);
        Assert.True((await FreshSqliteShapeAsync()).SequenceEqual(upgraded), $"{shape}:\n{string.Join('\n', upgraded)}");
    }

    [Fact]
    public async Task A_new_file_gets_every_step_the_latest_version_and_the_tables_the_last_release_before_versions_made_with_the_steps_since()
    {
        var earlier = Path.Combine(Folder, "earlier.db");
        await SqliteFile.ExecuteAsync(earlier, MadeByLastUnversionedRelease + StepsSinceVersions);

        var path = Path.Combine(Folder, "new", "results.db");
        await using (var database = SqliteAt(path))
        {
            var store = new PredictionStatusStore(database);
            Assert.Single(await store.AddOutcomesAsync([Completed(Guid.NewGuid())], CancellationToken.None));
        }

        Assert.Equal(LatestVersions, await SqliteFile.VersionsAsync(path, PredictionStatusSchema.Store.Store));
        Assert.Equal(await SqliteFile.ShapeAsync(earlier), await SqliteFile.ShapeAsync(path));
    }

    [Fact]
    public async Task Starting_again_on_an_upgraded_file_changes_nothing()
    {
        var path = Path.Combine(Folder, "results.db");
        await SqliteFile.ExecuteAsync(path, FirstShipped + EarlierPredictions);
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
        Assert.Equal(2, (await SqliteFile.RowsAsync(path, ReadPredictions)).Count);
    }

    [Fact]
    public async Task A_step_that_fails_stops_the_gateway_naming_the_setting_the_file_and_the_step()
    {
        // Recorded at version 1, yet the owners table is already there (made by hand): step 2 cannot run.
        var path = Path.Combine(Folder, "results.db");
        var firstStep = new StoreSchema(PredictionStatusSchema.Store.Store, [PredictionStatusSchema.Store.Steps[0]]);
        await using (var atFirstVersion = new SqliteDatabase($"Data Source={path}", [firstStep]))
        {
            await atFirstVersion.EnsureCreatedAsync();
        }

        await SqliteFile.ExecuteAsync(path, Owners);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Folder, DisableDefaults = true });
        builder.Configuration["ConnectionStrings:Results"] = $"Data Source={path}";
        builder.AddStatusStore();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:Results", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Migration 2 of the status schema failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("table prediction_owners already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal([1], await SqliteFile.VersionsAsync(path, PredictionStatusSchema.Store.Store));
    }

    [Fact]
    public async Task A_PostgreSQL_database_at_the_earlier_step_one_gets_the_worker_and_route_columns_as_its_next_steps_and_keeps_its_rows()
    {
        var database = await CreateAsync(PostgresProvider.Name);
        await database.ExecuteAsync(PostgresEarlierStepOne);

        await MigrateAsync(database, PredictionStatusSchema.Store);

        Assert.Equal(["3"], await database.RowsAsync("SELECT count(*) FROM schema_migrations WHERE store = 'status'"));
        Assert.Equal(["3"], await database.RowsAsync("SELECT max(version) FROM schema_migrations WHERE store = 'status'"));
        Assert.Equal(["2"], await database.RowsAsync(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'predictions' AND column_name IN ('worker', 'route')"));
        Assert.Equal(["1"], await database.RowsAsync("SELECT count(*) FROM predictions"));
    }

    [Fact]
    public async Task A_PostgreSQL_database_the_earlier_release_brought_to_its_step_two_gets_only_the_route_column_and_keeps_its_rows()
    {
        var database = await CreateAsync(PostgresProvider.Name);
        await database.ExecuteAsync(PostgresEarlierStepOne + """
            ALTER TABLE predictions ADD COLUMN worker TEXT NULL;
            INSERT INTO schema_migrations VALUES ('status', 2, '2026-01-02T00:00:00.0000000Z');
            """);

        await MigrateAsync(database, PredictionStatusSchema.Store);

        Assert.Equal(["3"], await database.RowsAsync("SELECT count(*) FROM schema_migrations WHERE store = 'status'"));
        Assert.Equal(["2026-01-02T00:00:00.0000000Z"], await database.RowsAsync(
            "SELECT applied_at FROM schema_migrations WHERE store = 'status' AND version = 2"));
        Assert.Equal(
            [$"{Queued}|queued|9|2.5|"], await database.RowsAsync("SELECT prediction_id, status, item_id, feature_value, route FROM predictions"));
    }

    protected override string ReadKeptRows => """
        SELECT prediction_id, status, item_id, feature_value, metadata, prediction, error, submitted_at, completed_at,
               model_name, model_version, worker, route
        FROM predictions ORDER BY prediction_id
        """;

    protected override IReadOnlyList<string> KeptRows =>
    [
        $"{Queued}|queued|3|5||||2026-01-02T03:04:05.0000000Z|||||",
        $"{Owned}|completed|4|1.5|{{\"price\":2}}|3||2026-01-02T03:04:05.0000000Z|2026-01-02T03:04:06.0000000Z||||",
    ];

    protected override string RowsAtFirstStep(string database) => EarlierPredictions;

    private static PredictionCompleted Completed(Guid id) => new()
    {
        PredictionId = id,
        ItemId = 3,
        FeatureValue = 5,
        Metadata = new Dictionary<string, double> { ["price"] = 2.5 },
        Prediction = 10,
        CompletedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Model = new ModelIdentity { Name = "item-scorer", Version = "3" },
        Timings = new PredictionTimings { ReceivedAt = DateTimeOffset.UtcNow },
    };
}
