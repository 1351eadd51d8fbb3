using Predictions.Gateway.Stores;
using Predictions.ServiceDefaults.Resilience;
using Predictions.Storage.Hosting;


namespace Predictions.Gateway.Status;

public static class StatusExtensions
{
    /// <summary>
    /// The status store clients poll (<c>ConnectionStrings:Results</c>, a database the idempotency keys share)
    /// and the long-poll machinery that wakes waiting clients.
    /// </summary>
    public static IHostApplicationBuilder AddStatusStore(this IHostApplicationBuilder builder)
    {
        builder.AddStoreDatabase(ResultsDatabase.Name, PredictionStatusSchema.Store);
        builder.Services.AddOptions<LongPollOptions>()
            .BindConfiguration(LongPollOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<PredictionStatusStore>();
        builder.Services.AddSingleton<PredictionWaiters>();
        builder.Services.AddSingleton<LongPoll>();
        builder.Services.AddHostedService<OutcomeListener>();
        builder.Services.AddRetryPolicy(RetryPolicies.OutcomeListening);
        builder.Services.AddRetryPolicy(RetryPolicies.QueuedRecords);
        return builder;
    }
}
