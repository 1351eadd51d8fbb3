using Npgsql;

namespace Predictions.Harness;

/// <summary>
/// A real PostgreSQL server found by <see cref="PostgresLocator"/>. Each test takes a database of its own
/// (<see cref="CreateDatabaseAsync"/>), so tests run in parallel without meeting. Servers the harness
/// started itself can be stopped and started again, for outage tests.
/// </summary>
public sealed class PostgresServer(
    string description, string adminConnectionString, Func<ValueTask> dispose, Func<Task>? stop = null, Func<Task>? start = null) : IAsyncDisposable
{
    /// <summary>Where the server came from, for failure messages.</summary>
    public string Description { get; } = description;

    /// <summary>A user allowed to create databases, on the server's maintenance database.</summary>
    public string AdminConnectionString { get; } = adminConnectionString;

    public bool CanStopAndStart => stop is not null && start is not null;

    /// <summary>
    /// A new empty database, dropped again when the returned object is disposed. With <paramref name="icuLocale"/>
    /// (e.g. <c>en-US</c>) its text sorts by that locale, as on a server made with a language's locale, instead of
    /// whatever this server's default is.
    /// </summary>
    public async Task<PostgresTestDatabase> CreateDatabaseAsync(string? icuLocale = null)
    {
        var name = $"test_{Guid.NewGuid():N}";
        await ExecuteAsync(icuLocale is null
            ? $"CREATE DATABASE {name}"
            : $"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{icuLocale}'");
        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
        return new PostgresTestDatabase(name, connectionString, this);
    }

    /// <summary>Stops the server at once (fast shutdown: clients are told 57P01 and disconnected).</summary>
    public Task StopAsync() => (stop ?? throw NotOurs())();

    /// <summary>Starts the stopped server again on the same port, its data kept.</summary>
    public Task StartAsync() => (start ?? throw NotOurs())();

    public ValueTask DisposeAsync() => dispose();

    internal async Task ExecuteAsync(string sql)
    {
        // Unpooled: nothing of the admin connection outlives the call.
        var unpooled = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private InvalidOperationException NotOurs() =>
        new($"The PostgreSQL server from {Description} was not started by the tests, so they cannot stop or start it.");
}
