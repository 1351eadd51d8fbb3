using Predictions.Worker.Lanes;

namespace Predictions.Worker.Rollouts;

public static class RolloutExtensions
{
    /// <summary>
    /// Where each request is placed (<see cref="LaneRouting"/>) and, with a catalog (<c>Models:Default</c> set), the follower
    /// that keeps this worker's lanes as the rollout the gateways announce says. Registered after <c>AddLanes</c>, whose
    /// lanes and rollout these use.
    /// </summary>
    public static IHostApplicationBuilder AddRollouts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LaneRouting>();
        if (builder.Configuration.GetSection(ModelsOptions.Section)[nameof(ModelsOptions.Default)] is not null)
        {
            builder.Services.AddSingleton<RolloutFollower>();
            builder.Services.AddHostedService(services => services.GetRequiredService<RolloutFollower>());
        }

        return builder;
    }
}
