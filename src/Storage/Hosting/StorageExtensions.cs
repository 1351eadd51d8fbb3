using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Predictions.Storage.Hosting;

public static class StorageExtensions
{
    /// <summary>
    /// Registers the database named by <c>ConnectionStrings:{name}</c> as a keyed <see cref="StoreDatabase"/> singleton,
    /// on whichever of <see cref="StoreProviders"/> recognizes the setting, holding <paramref name="schema"/>. It
    /// validates the setting and <c>Storage:Timeout</c>, and brings the schemas to their latest version at start-up, so
    /// a bad path, an unreachable server or a failed migration fails the host at once. Stores that share a database each
    /// call this with the same name.
    /// </summary>
    public static IHostApplicationBuilder AddStoreDatabase(this IHostApplicationBuilder builder, string name, StoreSchema schema)
    {
        builder.Services.AddKeyedSingleton(name, schema);
        if (builder.Services.Any(service => service.ServiceType == typeof(StoreDatabase) && Equals(service.ServiceKey, name)))
        {
            return builder;
        }

        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<StoreDatabaseOptions>(name)
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString = configuration.GetConnectionString(name))
            .Validate(
                options => StoreConnectionString.ProviderOf(options.ConnectionString) is not null,
                $"ConnectionStrings:{name} is required: a SQLite connection string such as 'Data Source={name.ToLowerInvariant()}.db', "
                + "or a PostgreSQL one such as 'Host=db;Port=5432;Database=predictions;Username=...;Password=...' "
                + "(a Host key means PostgreSQL, a Data Source key SQLite).")
            .ValidateOnStart();

        builder.Services.AddKeyedSingleton<StoreDatabase>(name, (services, _) => Create(services, name));
        builder.Services.AddSingleton<IHostedService>(services => new StoreSchemaInitializer(
            services.GetRequiredKeyedService<StoreDatabase>(name), name,
            services.GetRequiredService<ILoggerFactory>().CreateLogger($"Predictions.Storage.{name}")));

        return builder;
    }

    private static StoreDatabase Create(IServiceProvider services, string name)
    {
        var connectionString = services.GetRequiredService<IOptionsMonitor<StoreDatabaseOptions>>().Get(name).ConnectionString!;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"Predictions.Storage.{name}");
        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var provider = StoreConnectionString.ProviderOf(connectionString)!;
        return provider.Open(connectionString, [.. services.GetKeyedServices<StoreSchema>(name)], options, logger);
    }

    public sealed class StoreDatabaseOptions
    {
        public string? ConnectionString { get; set; }
    }
}
