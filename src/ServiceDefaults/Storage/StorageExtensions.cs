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
    /// Registers the SQLite database named by <c>ConnectionStrings:{name}</c> as a keyed singleton,
    /// validates the setting and creates the schema at start-up, so a bad path fails the host at once. An existing
    /// database made before some of its columns existed gets <paramref name="addedColumns"/>.
    /// </summary>
    public static IHostApplicationBuilder AddSqliteDatabase(this IHostApplicationBuilder builder, string name, string schema, params IReadOnlyList<AddedColumn> addedColumns)
    {
        builder.Services.AddOptions<SqliteOptions>(name)
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString = configuration.GetConnectionString(name))
            .Validate(options => IsValid(options.ConnectionString), $"ConnectionStrings:{name} is required: a SQLite connection string such as 'Data Source={name.ToLowerInvariant()}.db'.")
            .ValidateOnStart();

        builder.Services.AddKeyedSingleton(name, (services, _) =>
            new SqliteDatabase(
                services.GetRequiredService<IOptionsMonitor<SqliteOptions>>().Get(name).ConnectionString!,
                schema,
                services.GetRequiredService<ILoggerFactory>().CreateLogger($"Predictions.Storage.{name}"),
                addedColumns));
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
                throw new InvalidOperationException($"ConnectionStrings:{name}: cannot open or create the SQLite database '{database.DataSource}': {ex.Message}", ex);
            }
        }

        // Stopped after the message bus (registered earlier): every write a consumer queued is committed first.
        public async Task StopAsync(CancellationToken cancellationToken) => await database.DisposeAsync();
    }
}
