using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Predictions.Harness;
using Predictions.Storage.Sqlite;

namespace Predictions.Storage.Tests.Sqlite;

/// <summary>How a file's stores are brought to their latest schema version when the database is first used.</summary>
public sealed class SchemaMigratorTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly string _folder = Directory.CreateTempSubdirectory("schema-migrator-").FullName;

    [Fact]
    public async Task A_file_at_an_earlier_version_runs_only_the_later_steps_in_order()
    {
        var path = Path.Combine(_folder, "notes.db");
        await StartAsync(path, Counted("notes", 2));

        await StartAsync(path, Counted("notes", 4));

        Assert.Equal(["1", "2", "3", "4"], await SqliteFile.RowsAsync(path, "SELECT version FROM ran ORDER BY rowid"));
        Assert.Equal([1, 2, 3, 4], await SqliteFile.VersionsAsync(path, "notes"));
    }

    [Fact]
    public async Task A_step_that_fails_leaves_the_file_as_it_was_and_is_reported_naming_the_store_and_the_version()
    {
        var path = Path.Combine(_folder, "notes.db");
        var failing = new StoreSchema("notes", [.. Counted("notes", 2).Steps, new(3, "INSERT INTO nowhere VALUES (1);")]);
        await using var database = new SqliteDatabase($"Data Source={path}", [failing]);

        var error = await Assert.ThrowsAsync<SqliteException>(() => database.EnsureCreatedAsync().WaitAsync(Timeout));

        Assert.Contains("Migration 3 of the notes schema failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such table: nowhere", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.SqliteErrorCode);

        // Not even the table of versions: the steps before it and their records went with it.
        Assert.Empty(await SqliteFile.RowsAsync(path, "SELECT name FROM sqlite_master"));
    }

    [Fact]
    public async Task Stores_in_one_file_keep_versions_of_their_own_and_a_store_added_later_starts_at_its_first_step()
    {
        var path = Path.Combine(_folder, "shared.db");
        await StartAsync(path, Counted("notes", 2));

        await StartAsync(path, Counted("notes", 2), Counted("tags", 3));

        Assert.Equal([1, 2], await SqliteFile.VersionsAsync(path, "notes"));
        Assert.Equal([1, 2, 3], await SqliteFile.VersionsAsync(path, "tags"));
        Assert.Equal(
            ["notes|1", "notes|2", "tags|1", "tags|2", "tags|3"], await SqliteFile.RowsAsync(path, "SELECT store, version FROM ran ORDER BY rowid"));
    }

    [Fact]
    public async Task A_file_from_before_versions_records_the_steps_found_in_place_runs_the_rest_and_keeps_its_rows()
    {
        var path = Path.Combine(_folder, "notes.db");
        await SqliteFile.ExecuteAsync(path, "CREATE TABLE notes (text TEXT NOT NULL, author TEXT NULL); INSERT INTO notes VALUES ('kept', 'ann');");
        var schema = new StoreSchema("notes",
        [
            new(1, "CREATE TABLE notes (text TEXT NOT NULL);") { PresentWhen = "SELECT count(*) FROM sqlite_master WHERE name = 'notes'" },
            new(2, "ALTER TABLE notes ADD COLUMN author TEXT NULL;")
            {
                PresentWhen = "SELECT count(*) FROM pragma_table_info('notes') WHERE name = 'author'",
            },
            new(3, "CREATE TABLE tags (name TEXT NOT NULL);"),
        ]);

        await StartAsync(path, schema);

        Assert.Equal(["kept|ann"], await SqliteFile.RowsAsync(path, "SELECT text, author FROM notes"));
        Assert.Equal(["tags"], await SqliteFile.RowsAsync(path, "SELECT name FROM sqlite_master WHERE name = 'tags'"));
        Assert.Equal([1, 2, 3], await SqliteFile.VersionsAsync(path, "notes"));
    }

    [Fact]
    public async Task Processes_starting_together_on_a_new_file_run_each_step_once()
    {
        const int Processes = 4;
        var path = Path.Combine(_folder, "raced.db");
        var databases = Enumerable.Range(0, Processes).Select(_ => new SqliteDatabase($"Data Source={path}", [Counted("notes", 3)])).ToList();

        // Threads of their own, released together, so the starts really do overlap.
        using var start = new Barrier(Processes);
        var starts = databases.Select(database => OnOwnThread(() =>
        {
            start.SignalAndWait();
            return database.EnsureCreatedAsync();
        }));
        await Task.WhenAll(starts).WaitAsync(Timeout);
        foreach (var database in databases)
        {
            await database.DisposeAsync();
        }

        Assert.Equal(["1", "2", "3"], await SqliteFile.RowsAsync(path, "SELECT version FROM ran ORDER BY rowid"));
        Assert.Equal([1, 2, 3], await SqliteFile.VersionsAsync(path, "notes"));
    }

    [Fact]
    public async Task A_file_a_newer_release_upgraded_further_is_used_as_it_is_with_a_warning_naming_the_store()
    {
        var path = Path.Combine(_folder, "notes.db");
        await StartAsync(path, Counted("notes", 3));
        var logger = new FakeLogger();

        await using (var older = new SqliteDatabase($"Data Source={path}", [Counted("notes", 2)], logger))
        {
            Assert.Equal(1, await older.WriteAsync(AddNote, CancellationToken.None).WaitAsync(Timeout));
        }

        var warning = Assert.Single(logger.Collector.GetSnapshot(), log => log.Level >= LogLevel.Warning);
        Assert.Contains("version 3 of the notes schema", warning.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], await SqliteFile.VersionsAsync(path, "notes"));
    }

    [Fact]
    public void Steps_numbered_out_of_order_are_refused_naming_the_store()
    {
        var error = Assert.Throws<ArgumentException>(() => new StoreSchema("notes", [new(1, "SELECT 1;"), new(3, "SELECT 1;")]));

        Assert.Contains("notes", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>
    /// A store whose steps each leave a row in <c>ran</c>, so a test sees which ran and in what order; step 1
    /// also makes the <c>notes</c> table.
    /// </summary>
    private static StoreSchema Counted(string store, int steps) => new(store,
    [
        .. Enumerable.Range(1, steps).Select(version => new SchemaStep(version, $"""
            CREATE TABLE IF NOT EXISTS ran (store TEXT NOT NULL, version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS notes (text TEXT NOT NULL);
            INSERT INTO ran VALUES ('{store}', {version});
            """)),
    ]);

    private static async Task StartAsync(string path, params StoreSchema[] schemas)
    {
        await using var database = new SqliteDatabase($"Data Source={path}", schemas);
        await database.EnsureCreatedAsync().WaitAsync(Timeout);
    }

    private static Task OnOwnThread(Func<Task> call)
    {
        var called = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() => called.SetResult(call())).Start();
        return called.Task.Unwrap();
    }

    private static Task<int> AddNote(StoreWrite write) => NoteWrites.AddAsync(write);
}
