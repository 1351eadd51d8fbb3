using Microsoft.Data.Sqlite;
using Predictions.Contracts;
using Predictions.Harness;
using Predictions.ServiceDefaults.Messaging;
using Predictions.ServiceDefaults.Storage;
using Predictions.Worker.Audit;

namespace Predictions.Worker.Tests.Audit;

public sealed class AuditStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("audit-store-").FullName;

    [Fact]
    public async Task Writes_one_row_per_prediction_however_often_its_outcome_arrives()
    {
        var store = new AuditStore(new SqliteDatabase($"Data Source={Path.Combine(_folder, "nested", "audit.db")}", [AuditSchema.Store]), TimeProvider.System);
        var completed = Completed();

        Assert.Empty(await store.AddAsync([completed], CancellationToken.None));
        Assert.Equal([completed.PredictionId], await store.AddAsync([completed], CancellationToken.None));
        Assert.Equal([completed.PredictionId], await store.AddAsync([Failed(completed.PredictionId)], CancellationToken.None));

        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM prediction_audit"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM prediction_audit WHERE prediction_id = '{completed.PredictionId}' AND outcome = 'completed' AND prediction = 4"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM prediction_audit WHERE model_name = 'doubling' AND model_version = '1'"));
    }

    [Fact]
    public async Task An_audit_database_made_before_rows_named_their_model_gains_the_columns()
    {
        var path = Path.Combine(_folder, "audit.db");
        const string old = """
            CREATE TABLE prediction_audit (
                prediction_id TEXT NOT NULL PRIMARY KEY, outcome TEXT NOT NULL, item_id INTEGER NOT NULL,
                feature_value REAL NOT NULL, metadata TEXT NULL, prediction REAL NULL, error TEXT NULL, worker TEXT NOT NULL,
                submitted_at TEXT NULL, received_at TEXT NOT NULL, metadata_started_at TEXT NULL, metadata_completed_at TEXT NULL,
                inference_queued_at TEXT NULL, inference_started_at TEXT NULL, inference_completed_at TEXT NULL,
                finished_at TEXT NOT NULL, audited_at TEXT NOT NULL);
            """;
        await SqliteFile.ExecuteAsync(path, old);

        await using var upgraded = new SqliteDatabase($"Data Source={path}", [AuditSchema.Store]);
        await new AuditStore(upgraded, TimeProvider.System).AddAsync([Completed()], CancellationToken.None);

        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM prediction_audit WHERE model_name = 'doubling'", "audit.db"));
    }

    [Fact]
    public async Task Writes_a_batch_in_one_go_and_reports_only_the_duplicates()
    {
        var store = new AuditStore(new SqliteDatabase($"Data Source={Path.Combine(_folder, "nested", "audit.db")}", [AuditSchema.Store]), TimeProvider.System);
        var first = Completed();
        await store.AddAsync([first], CancellationToken.None);

        var duplicates = await store.AddAsync([Completed(), first, Completed(), first], CancellationToken.None);

        Assert.Equal([first.PredictionId, first.PredictionId], duplicates);
        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM prediction_audit"));
    }

    [Fact]
    public async Task Writes_failures_with_their_reason()
    {
        var store = new AuditStore(new SqliteDatabase($"Data Source={Path.Combine(_folder, "audit.db")}", [AuditSchema.Store]), TimeProvider.System);
        var failed = Failed(Guid.NewGuid());

        Assert.Empty(await store.AddAsync([failed], CancellationToken.None));

        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM prediction_audit WHERE outcome = 'failed' AND error = 'unknown item 9' AND prediction IS NULL", "audit.db"));
    }

    [Fact]
    public async Task Writes_expirations_with_the_deadline_that_passed_and_when_the_worker_gave_up()
    {
        var store = new AuditStore(new SqliteDatabase($"Data Source={Path.Combine(_folder, "audit.db")}", [AuditSchema.Store]), TimeProvider.System);
        var deadline = new DateTimeOffset(2026, 1, 31, 12, 0, 5, TimeSpan.Zero);
        var expired = new PredictionExpired
        {
            PredictionId = Guid.NewGuid(),
            ItemId = 9,
            FeatureValue = 2,
            Deadline = deadline,
            ExpiredAt = deadline.AddSeconds(1),
            Worker = "w",
            Timings = new PredictionTimings { ReceivedAt = deadline.AddMilliseconds(900) },
        };

        Assert.Empty(await store.AddAsync([expired], CancellationToken.None));

        Assert.Equal(1L, await CountAsync(
            $"SELECT count(*) FROM prediction_audit WHERE outcome = 'expired' AND error = '{ExpiryReason.For(deadline)}' AND prediction IS NULL AND metadata IS NULL " +
            "AND finished_at = '2026-01-31T12:00:06.0000000Z' AND received_at = '2026-01-31T12:00:05.9000000Z' AND submitted_at IS NULL",
            "audit.db"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<long> CountAsync(string sql, string file = "nested/audit.db")
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, file)}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static PredictionTimings Timings => new() { ReceivedAt = DateTimeOffset.UtcNow };

    private static PredictionCompleted Completed() => new()
    {
        PredictionId = Guid.NewGuid(),
        ItemId = 9,
        FeatureValue = 2,
        Metadata = new Dictionary<string, double> { ["price"] = 1 },
        Prediction = 4,
        CompletedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Model = new ModelIdentity { Name = "doubling", Version = "1" },
        Timings = Timings,
    };

    private static PredictionFailed Failed(Guid id) => new()
    {
        PredictionId = id,
        ItemId = 9,
        FeatureValue = 2,
        Error = "unknown item 9",
        FailedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Timings = Timings,
    };
}
