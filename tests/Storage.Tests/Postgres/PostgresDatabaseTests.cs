using Dapper;
using Predictions.Harness;
using Predictions.Storage.Postgres;

namespace Predictions.Storage.Tests.Postgres;

/// <summary>The PostgreSQL store database: its migrations, its writes, and a server that goes away.</summary>
public sealed class PostgresDatabaseTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly StoreSchema Notes = new("notes",
    [
        new(1, "CREATE TABLE notes (id BIGSERIAL PRIMARY KEY, text TEXT NOT NULL);"),
        new(2, "ALTER TABLE notes ADD COLUMN written_at TEXT NULL;"),
    ]);

    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresLocator.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_fresh_database_gets_every_step_and_a_second_start_finds_them_done()
    {
        await using (var first = new PostgresDatabase(_database.ConnectionString, [Ledger.Schema, Notes]))
        {
            await first.EnsureCreatedAsync().WaitAsync(Timeout);
        }

        var recorded = await VersionsAsync();
        await using (var second = new PostgresDatabase(_database.ConnectionString, [Ledger.Schema, Notes]))
        {
            await second.EnsureCreatedAsync().WaitAsync(Timeout);
        }

        Assert.Equal(["ledger 1", "notes 1", "notes 2"], recorded.Select(r => r.Split(' ', 3)[0] + " " + r.Split(' ', 3)[1]));
        Assert.Equal(recorded, await VersionsAsync());
        Assert.Equal("double precision", await _database.ScalarAsync<string>(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'ledger' AND column_name = 'amount'"));
    }

    [Fact]
    public async Task Hosts_starting_at_once_on_one_database_take_turns_and_record_each_step_once()
    {
        var databases = Enumerable.Range(0, 4).Select(_ => new PostgresDatabase(_database.ConnectionString, [Ledger.Schema, Notes])).ToList();
        try
        {
            await Task.WhenAll(databases.Select(d => Task.Run(d.EnsureCreatedAsync))).WaitAsync(Timeout);
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }

        Assert.Equal(3L, await _database.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task A_failed_step_names_the_store_and_the_step_and_leaves_nothing_behind()
    {
        var failing = new StoreSchema("broken", [new(1, "CREATE TABLE kept (id INTEGER);"), new(2, "ALTER TABLE nowhere ADD COLUMN x TEXT;")]);
        await using var database = new PostgresDatabase(_database.ConnectionString, [failing]);

        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => database.EnsureCreatedAsync().WaitAsync(Timeout));

        Assert.Contains("Migration 2 of the broken schema failed", error.Message);
        Assert.Equal("42P01", error.SqlState);
        Assert.Equal(0L, await _database.ScalarAsync<long>("SELECT count(*) FROM information_schema.tables WHERE table_name = 'kept'"));
    }

    [Fact]
    public async Task A_write_given_up_before_it_starts_never_runs()
    {
        await using var database = new PostgresDatabase(_database.ConnectionString, [Notes]);
        await database.EnsureCreatedAsync().WaitAsync(Timeout);
        using var gaveUp = new CancellationTokenSource();
        await gaveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => database.WriteAsync(AddNote, gaveUp.Token));

        Assert.Equal(0L, await _database.ScalarAsync<long>("SELECT count(*) FROM notes"));
        Assert.Equal(1, await database.WriteAsync(AddNote, CancellationToken.None).WaitAsync(Timeout));
    }

    private async Task<List<string>> VersionsAsync()
    {
        await using var database = new PostgresDatabase(_database.ConnectionString, []);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<string>(
            "SELECT store || ' ' || version || ' ' || applied_at FROM schema_migrations ORDER BY store, version")];
    }

    private static Task<int> AddNote(StoreWrite write) => NoteWrites.AddAsync(write);
}
