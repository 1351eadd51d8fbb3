using Microsoft.Extensions.Hosting;
using Predictions.Contracts;
using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Sqlite;
using Predictions.Tests.Shared.Schemas;
using Predictions.Worker.Audit;

namespace Predictions.Worker.Tests.Audit;

/// <summary>The audit schema: made new, carried on from what an earlier release left, and reported when a step fails.</summary>
public sealed class AuditSchemaTests() : StoreSchemaTests(AuditSchema.Store)
{
    // The table as the worker first shipped it; later releases added the model's columns one at a time.
    private const string FirstShipped = """
        CREATE TABLE IF NOT EXISTS prediction_audit (
            prediction_id TEXT NOT NULL PRIMARY KEY,
            outcome TEXT NOT NULL,
            item_id INTEGER NOT NULL,
            feature_value REAL NOT NULL,
            metadata TEXT NULL,
            prediction REAL NULL,
            error TEXT NULL,
            worker TEXT NOT NULL,
            submitted_at TEXT NULL,
            received_at TEXT NOT NULL,
            metadata_started_at TEXT NULL,
            metadata_completed_at TEXT NULL,
            inference_queued_at TEXT NULL,
            inference_started_at TEXT NULL,
            inference_completed_at TEXT NULL,
            finished_at TEXT NOT NULL,
            audited_at TEXT NOT NULL
        );
        """;

    // The table as the last release before schema versions made a new file.
    private const string MadeByLastUnversionedRelease = """
        CREATE TABLE IF NOT EXISTS prediction_audit (
            prediction_id TEXT NOT NULL PRIMARY KEY,
            outcome TEXT NOT NULL,
            item_id INTEGER NOT NULL,
            feature_value REAL NOT NULL,
            metadata TEXT NULL,
            prediction REAL NULL,
            error TEXT NULL,
            worker TEXT NOT NULL,
            model_name TEXT NULL,
            model_version TEXT NULL,
            submitted_at TEXT NULL,
            received_at TEXT NOT NULL,
            metadata_started_at TEXT NULL,
            metadata_completed_at TEXT NULL,
            inference_queued_at TEXT NULL,
            inference_started_at TEXT NULL,
            inference_completed_at TEXT NULL,
            finished_at TEXT NOT NULL,
            audited_at TEXT NOT NULL
        );
        """;

    private const string AddModelName = "ALTER TABLE prediction_audit ADD COLUMN model_name TEXT NULL;";
    private const string AddModelVersion = "ALTER TABLE prediction_audit ADD COLUMN model_version TEXT NULL;";

    // The steps since versions were recorded, which no file from before them can have.
    private const string StepsSinceVersions = """
        ALTER TABLE prediction_audit ADD COLUMN route TEXT NULL;
        ALTER TABLE prediction_audit ADD COLUMN shadow_of TEXT NULL;
        """;

    private const string EarlierRow = """
        INSERT INTO prediction_audit (prediction_id, outcome, item_id, feature_value, error, worker, received_at, finished_at, audited_at)
        VALUES ('0198c2a4-0000-7000-8000-000000000001', 'failed', 9, 2.5, 'unknown item 9', 'host/1',
                '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:01.0000000Z', '2026-01-01T00:00:02.0000000Z');
        """;

    private static readonly Guid EarlierId = Guid.Parse("0198c2a4-0000-7000-8000-000000000001");

    /// <summary>Every shape an audit file could have before schema versions were recorded.</summary>
    public static TheoryData<string, string> EarlierShapes => new()
    {
        { "as first shipped", FirstShipped },
        { "stopped between adding the model's two columns", FirstShipped + AddModelName },
        { "first shipped, then given the model's columns", FirstShipped + AddModelName + AddModelVersion },
        { "made new by the last release before versions", MadeByLastUnversionedRelease },
    };

    [Theory]
    [MemberData(nameof(EarlierShapes))]
    public async Task A_file_from_before_versions_is_upgraded_at_start_keeps_its_rows_and_ends_at_the_latest_version(string shape, string ddl)
    {
        var path = Path.Combine(Folder, "audit.db");
        await SqliteFile.ExecuteAsync(path, ddl + EarlierRow);
        var earlierRow = await ReadRowAsync(path, EarlierId);
        Assert.Single(earlierRow);

        await using (var database = SqliteAt(path))
        {
            var later = Completed() with { Route = "shadow", ShadowOf = EarlierId };
            var store = new AuditStore(database, TimeProvider.System);
            Assert.Equal([EarlierId], await store.AddAsync([LaterFailure(EarlierId), later], CancellationToken.None));
        }

        Assert.Equal(earlierRow, await ReadRowAsync(path, EarlierId));
        Assert.Equal(["2"], await SqliteFile.RowsAsync(path, "SELECT count(*) FROM prediction_audit"));
        Assert.Equal(
            [$"shadow|{EarlierId}"], await SqliteFile.RowsAsync(path, "SELECT route, shadow_of FROM prediction_audit WHERE route IS NOT NULL"));
        Assert.Equal(LatestVersions, await SqliteFile.VersionsAsync(path, AuditSchema.Store.Store));
        var upgraded = await SqliteFile.ShapeAsync(path);
        Assert.True((await FreshSqliteShapeAsync()).SequenceEqual(upgraded), $"{shape}:\n{string.Join('\n', upgraded)}");
    }

    [Fact]
    public async Task A_new_file_gets_every_step_the_latest_version_and_the_table_the_last_release_before_versions_made_with_the_steps_since()
    {
        var earlier = Path.Combine(Folder, "earlier.db");
        await SqliteFile.ExecuteAsync(earlier, MadeByLastUnversionedRelease + StepsSinceVersions);

        var path = Path.Combine(Folder, "new", "audit.db");
        await using (var database = SqliteAt(path))
        {
            Assert.Empty(await new AuditStore(database, TimeProvider.System).AddAsync([Completed()], CancellationToken.None));
        }

        Assert.Equal(LatestVersions, await SqliteFile.VersionsAsync(path, AuditSchema.Store.Store));
        Assert.Equal(await SqliteFile.ShapeAsync(earlier), await SqliteFile.ShapeAsync(path));
    }

    [Fact]
    public async Task Starting_again_on_an_upgraded_file_changes_nothing()
    {
        var path = Path.Combine(Folder, "audit.db");
        await SqliteFile.ExecuteAsync(path, FirstShipped + EarlierRow);
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
        Assert.Single(await SqliteFile.RowsAsync(path, "SELECT prediction_id FROM prediction_audit"));
    }

    [Fact]
    public async Task A_step_that_fails_stops_the_worker_naming_the_setting_the_file_and_the_step()
    {
        // Recorded at version 1, yet the next step's column is already there (added by hand): step 2 cannot run.
        var path = Path.Combine(Folder, "audit.db");
        var firstStep = new StoreSchema(AuditSchema.Store.Store, [AuditSchema.Store.Steps[0]]);
        await using (var atFirstVersion = new SqliteDatabase($"Data Source={path}", [firstStep]))
        {
            await atFirstVersion.EnsureCreatedAsync();
        }

        await SqliteFile.ExecuteAsync(path, AddModelName);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Folder, DisableDefaults = true });
        builder.Configuration["ConnectionStrings:Audit"] = $"Data Source={path}";
        builder.AddAudit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:Audit", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Migration 2 of the audit schema failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("duplicate column name: model_name", error.Message, StringComparison.Ordinal);
        Assert.Equal([1], await SqliteFile.VersionsAsync(path, AuditSchema.Store.Store));
    }

    protected override string ReadKeptRows => """
        SELECT prediction_id, outcome, item_id, feature_value, metadata, prediction, error, worker, model_name, model_version,
               route, shadow_of, submitted_at, received_at, metadata_started_at, metadata_completed_at, inference_queued_at, inference_started_at,
               inference_completed_at, finished_at, audited_at
        FROM prediction_audit ORDER BY prediction_id
        """;

    protected override IReadOnlyList<string> KeptRows =>
    [
        "0198c2a4-0000-7000-8000-000000000001|failed|9|2.5|||unknown item 9|host/1||||||2026-01-01T00:00:00.0000000Z|||||"
            + "|2026-01-01T00:00:01.0000000Z|2026-01-01T00:00:02.0000000Z",
    ];

    protected override string RowsAtFirstStep(string database) => EarlierRow;

    private static Task<IReadOnlyList<string>> ReadRowAsync(string path, Guid id) => SqliteFile.RowsAsync(path, $"""
        SELECT prediction_id, outcome, item_id, feature_value, error, worker, received_at, finished_at, audited_at
        FROM prediction_audit WHERE prediction_id = '{id}'
        """);

    // The earlier row's failure finished first, so it stands.
    private static PredictionFailed LaterFailure(Guid id) => new()
    {
        PredictionId = id,
        ItemId = 9,
        FeatureValue = 2.5,
        Error = "unknown item 9",
        FailedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Timings = new PredictionTimings { ReceivedAt = DateTimeOffset.UtcNow },
    };

    private static PredictionCompleted Completed(Guid? id = null) => new()
    {
        PredictionId = id ?? Guid.NewGuid(),
        ItemId = 9,
        FeatureValue = 2,
        Metadata = new Dictionary<string, double> { ["price"] = 1 },
        Prediction = 4,
        CompletedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Model = new ModelIdentity { Name = "doubling", Version = "1" },
        Timings = new PredictionTimings { ReceivedAt = DateTimeOffset.UtcNow },
    };
}
