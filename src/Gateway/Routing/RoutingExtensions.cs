using Predictions.Messaging.Catalog;

namespace Predictions.Gateway.Routing;

public static class RoutingExtensions
{
    /// <summary>Routes a request naming a model to its lane by the catalog (<c>Models:*</c>), read at start-up.</summary>
    public static IHostApplicationBuilder AddModelRouting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CatalogOptions>()
            .BindConfiguration(CatalogOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ModelRouting>();

        // A catalog that cannot be read stops the start, naming the manifest at fault.
        builder.Services.AddHostedService<CatalogCheck>();
        return builder;
    }

    private sealed class CatalogCheck(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<ModelRouting>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
