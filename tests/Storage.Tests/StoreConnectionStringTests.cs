using Predictions.Storage.Hosting;

namespace Predictions.Storage.Tests;

/// <summary>Which database a store's setting names: a Host key is PostgreSQL, a Data Source SQLite, anything else neither.</summary>
public sealed class StoreConnectionStringTests
{
    [Theory]
    [InlineData("Host=db;Port=5432;Database=predictions;Username=gateway;Password=secret", "postgres")]
    [InlineData("host=127.0.0.1;database=audit", "postgres")]
    [InlineData("Data Source=results.db", "sqlite")]
    [InlineData("Data Source=/var/lib/predictions/audit.db;Default Timeout=5", "sqlite")]
    [InlineData("DataSource=results.db", "sqlite")]
    public void A_setting_names_its_provider(string connectionString, string provider) =>
        Assert.Equal(provider, StoreConnectionString.ProviderOf(connectionString)?.Key);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("results.db")]
    [InlineData("Server=db;Database=predictions")]
    [InlineData("Host=;Database=predictions")]
    [InlineData("postgres://user:pass@db:5432/predictions")]
    public void Anything_else_names_no_provider(string? connectionString) =>
        Assert.Null(StoreConnectionString.ProviderOf(connectionString));
}
