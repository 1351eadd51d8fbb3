using Predictions.Gateway.Rollouts;
using Predictions.Messaging.Catalog;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Routing;

public static class RoutingExtensions
{
    /// <summary>
    /// Routes each request to its lane by the catalog (<c>Models:*</c>, read at start-up) and the rollout (stored in the
    /// results database, announced to and by every host), and guards the canaries.
    /// </summary>
    public static IHostApplicationBuilder AddModelRouting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CatalogOptions>()
            .BindConfiguration(CatalogOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<RolloutOptions>()
            .BindConfiguration(RolloutOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<GuardOptions>()
            .BindConfiguration(GuardOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.AddRolloutStore();
        builder.Services.AddSingleton<RoutingCatalog>();
        builder.Services.AddSingleton(services => new CurrentRollout(services.GetRequiredService<RoutingCatalog>().Seed));
        builder.Services.AddSingleton<ModelRouting>();
        builder.Services.AddSingleton<WorkerReadiness>();
        builder.Services.AddSingleton<VersionStatistics>();
        builder.Services.AddSingleton<RolloutCoordinator>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RolloutCoordinator>());

        // A catalog that cannot be read stops the start, naming the manifest at fault.
        builder.Services.AddHostedService<CatalogCheck>();
        return builder;
    }

    private sealed class CatalogCheck(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<RoutingCatalog>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
