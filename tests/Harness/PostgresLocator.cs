using DotNet.Testcontainers.Builders;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Predictions.Harness;

/// <summary>
/// Finds a real PostgreSQL server, in this order: the address in <c>POSTGRES_URL</c> (an Npgsql connection
/// string of a user allowed to create databases); a Testcontainers container where a Docker engine answers;
/// a private server of a locally installed <c>postgresql</c> package. With none of them it fails and says how
/// to get one; it never pretends.
/// </summary>
public static class PostgresLocator
{
    public const string Image = "postgres:17.6";

    // One server for the whole test run, found on first use and stopped when the test process ends.
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartSharedAsync);

    /// <summary>The server shared by every test of this run.</summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    /// <summary>A fresh database of its own on the shared server, for one test.</summary>
    public static async Task<PostgresTestDatabase> CreateDatabaseAsync(string? icuLocale = null) =>
        await (await SharedAsync()).CreateDatabaseAsync(icuLocale);

    /// <summary>
    /// A server of the caller's own, which it disposes: for tests that stop and start it. From
    /// <c>POSTGRES_URL</c> it is the given server, which the tests cannot stop.
    /// </summary>
    public static async Task<PostgresServer> FindAsync() =>
        FromEnvironment() ?? await FromDockerAsync() ?? await FromLocalInstallationAsync()
        ?? throw new InvalidOperationException($"""
            A real PostgreSQL server is needed and none was found. Any one of these will do:
              - set POSTGRES_URL to an Npgsql connection string of a user allowed to create databases,
                e.g. Host=127.0.0.1;Port=5432;Username=postgres;Password=...;Database=postgres;
              - start a Docker engine, so Testcontainers can run the image {Image};
              - install Debian's postgresql package (sudo apt-get install postgresql), so a private server can be started;
                ./test.sh does this for you when run as root.
            """);

    private static async Task<PostgresServer> StartSharedAsync()
    {
        var server = await FindAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    private static PostgresServer? FromEnvironment()
    {
        var url = Environment.GetEnvironmentVariable("POSTGRES_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var builder = new NpgsqlConnectionStringBuilder(url);
        return new PostgresServer($"POSTGRES_URL {builder.Host}:{builder.Port}", url, () => ValueTask.CompletedTask);
    }

    private static async Task<PostgresServer?> FromDockerAsync()
    {
        // A fixed host port, so the stores find the server again after an outage test restarts its container.
        var port = Ports.Free();
        PostgreSqlContainer container;
        try
        {
            container = new PostgreSqlBuilder(Image).WithPortBinding(port, PostgreSqlBuilder.PostgreSqlPort).Build();
            await container.StartAsync();
        }
        catch (DockerUnavailableException)
        {
            return null;
        }

        return new PostgresServer(
            $"Testcontainers {Image}",
            container.GetConnectionString(),
            container.DisposeAsync,
            () => container.StopAsync(),
            () => container.StartAsync());
    }

    private static async Task<PostgresServer?> FromLocalInstallationAsync() =>
        LocalPostgresServer.IsInstalled ? await LocalPostgresServer.StartAsync() : null;
}
