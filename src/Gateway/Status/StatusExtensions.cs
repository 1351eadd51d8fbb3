using Predictions.Storage;


namespace Predictions.Gateway.Status;

public static class StatusExtensions
{
    /// <summary>
    /// The status store clients poll (<c>ConnectionStrings:Results</c>, a database the idempotency keys share)
    /// and the long-poll machinery that wakes waiting clients.
    /// </summary>
    public static IHostApplicationBuilder AddStatusStore(this IHostApplicationBuilder builder)
    {
        builder.AddStoreDatabase(PredictionStatusStore.Database, PredictionStatusSchema.Store);
        builder.Services.AddSingleton<PredictionStatusStore>();
        builder.Services.AddSingleton<PredictionWaiters>();
        builder.Services.AddSingleton<LongPoll>();
        builder.Services.AddHostedService<OutcomeListener>();
        return builder;
    }
}
