using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Predictions.Harness;
using Predictions.Storage.Hosting;
using Predictions.Storage.Postgres;

namespace Predictions.Storage.Tests;

/// <summary>A store's setting at start-up: the host fails at once, naming the setting, when it names no database or one it cannot reach.</summary>
public sealed class StoreStartupTests
{
    [Fact]
    public async Task A_setting_that_names_neither_provider_fails_start_up_naming_the_setting()
    {
        using var host = Build("results.db");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:Ledger", error.Message);
        Assert.Contains("Host", error.Message);
    }

    [Fact]
    public async Task An_unreachable_postgres_server_fails_start_up_naming_the_setting_and_the_server_but_not_the_password()
    {
        var port = Ports.Free();
        using var host = Build($"Host=127.0.0.1;Port={port};Database=ledger;Username=worker;Password=s3cret;Timeout=3");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith(
            $"ConnectionStrings:Ledger: cannot connect to, or create the schema in, the PostgreSQL database 127.0.0.1:{port}/ledger", error.Message);
        Assert.DoesNotContain("s3cret", error.Message);
    }

    [Fact]
    public async Task A_postgres_database_is_migrated_at_start_up()
    {
        await using var database = await PostgresLocator.CreateDatabaseAsync();
        using var host = Build(database.ConnectionString);

        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal(
            Ledger.Schema.MigrationsFor(PostgresProvider.Name)[^1].Version,
            await database.ScalarAsync<int>("SELECT max(version) FROM schema_migrations WHERE store = 'ledger'"));
    }

    private static IHost Build(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:Ledger"] = connectionString;
        builder.AddStoreDatabase(Ledger.Database, Ledger.Schema);
        return builder.Build();
    }
}
