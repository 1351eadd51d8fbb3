using Microsoft.Data.Sqlite;
using Predictions.Harness;
using Predictions.Storage;
using Predictions.Storage.Sqlite;
using Predictions.Worker.Audit;

namespace Predictions.Worker.Tests.Audit;

/// <summary>The audit store on a SQLite file in a folder made for it, and a file made by an earlier release.</summary>
public sealed class SqliteAuditStoreTests : AuditStoreTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("audit-store-").FullName;

    protected override Task<StoreDatabase> OpenDatabaseAsync() =>
        Task.FromResult<StoreDatabase>(new SqliteDatabase($"Data Source={Path.Combine(_folder, "nested", "audit.db")}", [AuditSchema.Store]));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
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

        Assert.Equal(["1"], await SqliteFile.RowsAsync(path, "SELECT count(*) FROM prediction_audit WHERE model_name = 'doubling'"));
    }
}
