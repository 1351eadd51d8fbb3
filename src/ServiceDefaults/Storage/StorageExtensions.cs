using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Predictions.ServiceDefaults.Storage;

public static class StorageExtensions
{
    /// <summary>
    /// Registers the SQLite database named by <c>ConnectionStrings:{name}</c> as a keyed singleton, validates
    /// the setting, and brings <paramref name="schema"/> to its latest version at start-up, so a bad path or a
    /// failed migration fails the host at once. Stores that share a file each call this with the same name.
    /// </summary>
    public static IHostApplicationBuilder AddSqliteDatabase(this IHostApplicationBuilder builder, string name, StoreSchema schema)
    {
        builder.Services.AddKeyedSingleton(name, schema);
        if (builder.Services.Any(service => service.ServiceType == typeof(SqliteDatabase) && Equals(service.ServiceKey, name)))
        {
            return builder;
        }

        builder.Services.AddOptions<SqliteOptions>(name)
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString = configuration.GetConnectionString(name))
            .Validate(options => IsValid(options.ConnectionString), $"ConnectionStrings:{name} is required: a SQLite connection string such as 'Data Source={name.ToLowerInvariant()}.db'.")
            .ValidateOnStart();

        builder.Services.AddKeyedSingleton(name, (services, _) =>
            new SqliteDatabase(
                services.GetRequiredService<IOptionsMonitor<SqliteOptions>>().Get(name).ConnectionString!,
                [.. services.GetKeyedServices<StoreSchema>(name)],
                services.GetRequiredService<ILoggerFactory>().CreateLogger($"Predictions.Storage.{name}")));
        builder.Services.AddSingleton<IHostedService>(services =>
            new SqliteSchemaInitializer(services.GetRequiredKeyedService<SqliteDatabase>(name), name));

        return builder;
    }

    private static bool IsValid(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return false;
        }

        try
        {
            return !string.IsNullOrWhiteSpace(new SqliteConnectionStringBuilder(connectionString).DataSource);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public sealed class SqliteOptions
    {
        public string? ConnectionString { get; set; }
    }

    private sealed class SqliteSchemaInitializer(SqliteDatabase database, string name) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            try
            {
                await database.EnsureCreatedAsync().WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"ConnectionStrings:{name}: cannot open, create or upgrade the SQLite database '{database.DataSource}': {ex.Message}", ex);
            }
        }

        // Stopped after the message bus (registered earlier): every write a consumer queued is committed first.
        public async Task StopAsync(CancellationToken cancellationToken) => await database.DisposeAsync();
    }
}
