using Predictions.Harness;
using Predictions.Storage.Hosting;
using Predictions.Storage.Postgres;

namespace Predictions.Storage.Tests.Postgres;

/// <summary>
/// A PostgreSQL server that stops under a running store: its writes fail as an outage, which consumers
/// wait out, and succeed again once it is back. A server of this test's own, since it stops it.
/// </summary>
public sealed class PostgresOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private PostgresServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresLocator.FindAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Writes_to_a_stopped_server_fail_as_an_outage_and_succeed_once_it_is_back()
    {
        Assert.True(_server.CanStopAndStart, $"The outage test needs a server it may stop; {_server.Description} is not one.");
        await using var test = await _server.CreateDatabaseAsync();
        await using var database = new PostgresDatabase(
            test.ConnectionString, [new StoreSchema("notes", [new(1, "CREATE TABLE notes (text TEXT NOT NULL);")])]);
        Assert.Equal(1, await database.WriteAsync(AddNote, CancellationToken.None).WaitAsync(Timeout));

        await _server.StopAsync();
        // The pooled connection broken by the shutdown, then a refused one: both are the server's outage.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => database.WriteAsync(AddNote, CancellationToken.None).WaitAsync(Timeout));
            Assert.True(StoreOutages.IsStoreUnavailable(error), $"{error.GetType().Name}: {error.Message}");
        }

        await _server.StartAsync();
        Assert.Equal(1, await database.WriteAsync(AddNote, CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(2L, await test.ScalarAsync<long>("SELECT count(*) FROM notes"));
    }

    private static Task<int> AddNote(StoreWrite write) => NoteWrites.AddAsync(write);
}
