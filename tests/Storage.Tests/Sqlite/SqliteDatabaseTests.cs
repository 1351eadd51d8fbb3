using Microsoft.Data.Sqlite;
using Predictions.Storage.Sqlite;

namespace Predictions.Storage.Tests.Sqlite;

public sealed class SqliteDatabaseTests : IDisposable
{
    // Every run of the schema leaves a row behind, so the test can count how often it ran.
    private const string CountedSchema = """
        CREATE TABLE IF NOT EXISTS creations (id INTEGER PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS notes (text TEXT NOT NULL);
        INSERT INTO creations DEFAULT VALUES;
        """;

    private const int Callers = 16;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly string _folder = Directory.CreateTempSubdirectory("sqlite-database-").FullName;

    [Fact]
    public async Task A_write_that_throws_an_unexpected_exception_fails_alone_and_later_writes_succeed()
    {
        await using var database = Database("notes.db");

        var failing = database.WriteAsync<int>(_ => throw new ArgumentException("a bug in this write"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => failing.WaitAsync(Timeout));
        Assert.Equal("a bug in this write", error.Message);
        Assert.Equal(1, await database.WriteAsync(AddNote, CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(1L, await CountAsync("notes.db", "SELECT count(*) FROM notes"));
    }

    [Fact]
    public async Task A_schema_that_fails_is_reported_not_passed_over()
    {
        await using var database = new SqliteDatabase(
            $"Data Source={Path.Combine(_folder, "broken.db")}",
            [new StoreSchema("broken", [new(1, "CREATE TABLE notes (text TEXT); INSERT INTO nowhere VALUES (1);")])]);

        var error = await Assert.ThrowsAsync<SqliteException>(() => database.EnsureCreatedAsync().WaitAsync(Timeout));
        Assert.Contains("no such table: nowhere", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callers_racing_to_create_the_schema_share_one_creation()
    {
        await using var database = Database("raced.db");

        // Threads of their own, released together, so the callers really do overlap.
        using var start = new Barrier(Callers);
        var calls = Enumerable.Range(0, Callers)
            .Select(_ => CallOnOwnThread(() =>
            {
                start.SignalAndWait();
                return database.EnsureCreatedAsync();
            }))
            .ToArray();
        await Task.WhenAll(calls).WaitAsync(Timeout);

        Assert.Equal(1L, await CountAsync("raced.db", "SELECT count(*) FROM creations"));
    }

    [Fact]
    public async Task A_creation_that_failed_is_tried_again_by_the_next_caller()
    {
        // A file where the database's folder should be makes creation fail until it is removed.
        var blocker = Path.Combine(_folder, "nested");
        await File.WriteAllTextAsync(blocker, "");
        await using var database = Database(Path.Combine("nested", "retried.db"));

        await Assert.ThrowsAsync<IOException>(() => database.EnsureCreatedAsync().WaitAsync(Timeout));
        File.Delete(blocker);
        await database.EnsureCreatedAsync().WaitAsync(Timeout);

        Assert.Equal(1L, await CountAsync(Path.Combine("nested", "retried.db"), "SELECT count(*) FROM creations"));
    }

    [Fact]
    public async Task A_write_given_up_before_it_could_start_is_withdrawn_and_never_runs()
    {
        await using var database = Database("withdrawn.db");
        await database.EnsureCreatedAsync();

        await using (var holder = new SqliteConnection($"Data Source={Path.Combine(_folder, "withdrawn.db")};Pooling=False"))
        {
            // Another process holds the write lock, so the write waits for it (SQLite's busy timeout).
            await holder.OpenAsync();
            await using var exclusive = holder.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            await exclusive.ExecuteNonQueryAsync();

            using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => database.WriteAsync(AddNote, giveUp.Token));
        }

        Assert.Equal(1, await database.WriteAsync(AddNote, CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(1L, await CountAsync("withdrawn.db", "SELECT count(*) FROM notes"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private SqliteDatabase Database(string file) =>
        new($"Data Source={Path.Combine(_folder, file)}", [new StoreSchema("notes", [new(1, CountedSchema)])]);

    private static Task CallOnOwnThread(Func<Task> call)
    {
        var called = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() => called.SetResult(call())).Start();
        return called.Task.Unwrap();
    }

    private static Task<int> AddNote(StoreWrite write) => NoteWrites.AddAsync(write);

    private async Task<long> CountAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, file)}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
