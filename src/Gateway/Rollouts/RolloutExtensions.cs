using Microsoft.Extensions.DependencyInjection.Extensions;
using Predictions.Gateway.Stores;
using Predictions.Storage.Hosting;

namespace Predictions.Gateway.Rollouts;

public static class RolloutExtensions
{
    /// <summary>
    /// The stored rollout state, kept in the results database (<c>ConnectionStrings:Results</c>) beside the statuses,
    /// with its own schema there, so every gateway on that database changes the same state.
    /// </summary>
    public static IHostApplicationBuilder AddRolloutStore(this IHostApplicationBuilder builder)
    {
        builder.AddStoreDatabase(ResultsDatabase.Name, RolloutSchema.Store);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RolloutStore>();
        return builder;
    }
}
