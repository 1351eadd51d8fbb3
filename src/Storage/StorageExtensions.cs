using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Predictions.Storage;

public static class StorageExtensions
{
    /// <summary>
    /// Registers the database named by <c>ConnectionStrings:{name}</c> as a keyed <see cref="StoreDatabase"/>
    /// singleton: a SQLite file or a PostgreSQL database, as <see cref="StoreConnectionString"/> tells. It
    /// validates the setting, and brings the store's schema for that provider (<paramref name="sqlite"/> or
    /// <paramref name="postgres"/>) to its latest version at start-up, so a bad path, an unreachable server
    /// or a failed migration fails the host at once. Stores that share a database each call this with the same name.
    /// </summary>
    public static IHostApplicationBuilder AddStoreDatabase(this IHostApplicationBuilder builder, string name, StoreSchema sqlite, StoreSchema postgres)
    {
        builder.Services.AddKeyedSingleton(name, new ProviderSchemas(sqlite, postgres));
        if (builder.Services.Any(service => service.ServiceType == typeof(StoreDatabase) && Equals(service.ServiceKey, name)))
        {
            return builder;
        }

        builder.Services.AddOptions<StoreDatabaseOptions>(name)
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString = configuration.GetConnectionString(name))
            .Validate(
                options => StoreConnectionString.ProviderOf(options.ConnectionString) is not null,
                $"ConnectionStrings:{name} is required: a SQLite connection string such as 'Data Source={name.ToLowerInvariant()}.db', " +
                $"or a PostgreSQL one such as 'Host=db;Port=5432;Database=predictions;Username=...;Password=...' (a Host key means PostgreSQL, a Data Source key SQLite).")
            .ValidateOnStart();

        builder.Services.AddKeyedSingleton<StoreDatabase>(name, (services, _) => Create(services, name));
        builder.Services.AddSingleton<IHostedService>(services => new StoreSchemaInitializer(
            services.GetRequiredKeyedService<StoreDatabase>(name), name, services.GetRequiredService<ILoggerFactory>().CreateLogger($"Predictions.Storage.{name}")));

        return builder;
    }

    private static StoreDatabase Create(IServiceProvider services, string name)
    {
        var connectionString = services.GetRequiredService<IOptionsMonitor<StoreDatabaseOptions>>().Get(name).ConnectionString!;
        var schemas = services.GetKeyedServices<ProviderSchemas>(name).ToList();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"Predictions.Storage.{name}");
        return StoreConnectionString.ProviderOf(connectionString) switch
        {
            StoreProvider.Postgres => new PostgresDatabase(connectionString, [.. schemas.Select(s => s.Postgres)], logger),
            _ => new SqliteDatabase(connectionString, [.. schemas.Select(s => s.Sqlite)], logger),
        };
    }

    public sealed class StoreDatabaseOptions
    {
        public string? ConnectionString { get; set; }
    }

    /// <summary>One store's schema as each provider spells it.</summary>
    private sealed record ProviderSchemas(StoreSchema Sqlite, StoreSchema Postgres);
}
