using System.Diagnostics;
using Npgsql;
using Predictions.Harness;
using Predictions.Storage.Hosting;
using Predictions.Storage.Postgres;

namespace Predictions.Storage.Tests.Postgres;

/// <summary>
/// What bounds a PostgreSQL store: a batch is one round trip, a call past Storage:Timeout fails as an outage
/// instead of hanging, and calls waiting on a stalled server hold no thread-pool thread.
/// </summary>
[Collection(ThreadPoolSensitive.Name)]
public sealed class PostgresBoundsTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(1);

    private static readonly StoreSchema Notes = new("notes", [new(1, "CREATE TABLE notes (id BIGSERIAL PRIMARY KEY, text TEXT NOT NULL);")]);

    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresLocator.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_statement_for_many_rows_is_one_round_trip()
    {
        await using var database = new PostgresDatabase(_database.ConnectionString, [Notes]);
        await database.EnsureCreatedAsync().WaitAsync(Deadline);
        var rows = Enumerable.Range(0, 50).Select(i => new Note($"note {i}")).ToList();

        var executions = await CountExecutionsAsync(() =>
            database.WriteAsync(write => write.ExecuteEachAsync("INSERT INTO notes (text) VALUES (@Text);", rows), CancellationToken.None));

        Assert.Equal(50L, await _database.ScalarAsync<long>("SELECT count(*) FROM notes"));
        // Npgsql traces each round trip that executes statements: the batch, then the commit.
        Assert.InRange(executions, 1, 2);
    }

    [Fact]
    public async Task A_write_waiting_on_a_held_lock_fails_as_an_outage_once_its_time_is_up()
    {
        await using var database = new PostgresDatabase(_database.ConnectionString, [Notes], timeout: StoreTimeout);
        await database.EnsureCreatedAsync().WaitAsync(Deadline);
        await using var locker = await HoldLockAsync();
        var started = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<StoreTimeoutException>(
            () => database.WriteAsync(NoteWrites.AddAsync, CancellationToken.None).WaitAsync(Deadline));

        Assert.True(StoreOutages.IsStoreUnavailable(error));
        Assert.Contains("Storage:Timeout (1 s)", error.Message, StringComparison.Ordinal);
        Assert.InRange(started.Elapsed, StoreTimeout, StoreTimeout + TimeSpan.FromSeconds(5));
        await locker.DisposeAsync();
        Assert.Equal(0L, await _database.ScalarAsync<long>("SELECT count(*) FROM notes"));
    }

    [Fact]
    public async Task A_read_past_its_time_fails_as_an_outage()
    {
        await using var database = new PostgresDatabase(_database.ConnectionString, [Notes], timeout: StoreTimeout);
        await database.EnsureCreatedAsync().WaitAsync(Deadline);

        var error = await Assert.ThrowsAsync<StoreTimeoutException>(() => database.ReadAsync(async (connection, token) =>
        {
            await using var command = new NpgsqlCommand("SELECT pg_sleep(20);", (NpgsqlConnection)connection);
            return await command.ExecuteScalarAsync(token);
        }, CancellationToken.None).WaitAsync(Deadline));

        Assert.True(StoreOutages.IsStoreUnavailable(error));
    }

    [Fact]
    public async Task Writes_waiting_on_a_stalled_server_hold_no_thread_pool_threads()
    {
        await using var database = new PostgresDatabase(_database.ConnectionString, [Notes], timeout: TimeSpan.FromSeconds(20));
        await database.EnsureCreatedAsync().WaitAsync(Deadline);
        await using var locker = await HoldLockAsync();
        var threadsBefore = ThreadPool.ThreadCount;

        // More writes than the pool has connections, each waiting on the lock or for a connection.
        var writes = Enumerable.Range(0, 60).Select(_ => database.WriteAsync(NoteWrites.AddAsync, CancellationToken.None)).ToList();
        const string WaitingOnLock = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()";
        await UntilAsync(async () => await _database.ScalarAsync<long>(WaitingOnLock) >= PostgresDatabase.DefaultMaxPoolSize);

        // Work queued now starts at once: no thread is stuck in a write, so none is missing.
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < 20; i++)
        {
            var queued = Stopwatch.StartNew();
            await Task.Run(() => queued.Stop());
            slowest = queued.Elapsed > slowest ? queued.Elapsed : slowest;
        }

        var threadsDuring = ThreadPool.ThreadCount;
        await locker.DisposeAsync();
        Assert.All(await Task.WhenAll(writes).WaitAsync(Deadline), changed => Assert.Equal(1, changed));
        Assert.True(slowest < TimeSpan.FromMilliseconds(250), $"a work item waited {slowest.TotalMilliseconds} ms for a thread");
        Assert.True(threadsDuring <= threadsBefore + 4, $"{threadsBefore} thread-pool threads before, {threadsDuring} while the writes waited");
    }

    private async Task<NpgsqlConnection> HoldLockAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("BEGIN; LOCK TABLE notes IN ACCESS EXCLUSIVE MODE;", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>How many statement executions Npgsql traces on this test's database while <paramref name="call"/> runs.</summary>
    private async Task<int> CountExecutionsAsync(Func<Task> call)
    {
        var count = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.TagObjects.Any(tag => Equals(tag.Value, _database.Name)) && activity.OperationName != "connect")
                {
                    Interlocked.Increment(ref count);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await call().WaitAsync(Deadline);
        return count;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private sealed record Note(string Text);
}
