using Npgsql;

namespace Predictions.Harness;

/// <summary>One test's own database on a <see cref="PostgresServer"/>; dropped when disposed.</summary>
public sealed class PostgresTestDatabase(string name, string connectionString, PostgresServer server) : IAsyncDisposable
{
    public string Name { get; } = name;

    /// <summary>An Npgsql connection string for this database, as a store's setting takes it.</summary>
    public string ConnectionString { get; } = connectionString;

    public PostgresServer Server { get; } = server;

    /// <summary>The first column of the first row of <paramref name="sql"/>, read on a connection of its own.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        // FORCE: a pool a test left open must not keep its database alive.
        await Server.ExecuteAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }
}
