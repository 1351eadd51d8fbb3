using Predictions.Gateway.Idempotency;
using Predictions.ServiceDefaults.Storage;

namespace Predictions.Gateway.Status;

public static class StatusExtensions
{
    /// <summary>
    /// The status store clients poll (<c>ConnectionStrings:Results</c>, which also keeps the idempotency
    /// keys) and the long-poll machinery that wakes waiting clients.
    /// </summary>
    public static IHostApplicationBuilder AddStatusStore(this IHostApplicationBuilder builder)
    {
        builder.AddSqliteDatabase(PredictionStatusStore.Database, PredictionStatusSchema.Store);
        builder.AddSqliteDatabase(PredictionStatusStore.Database, IdempotencySchema.Store);
        builder.Services.AddSingleton<PredictionStatusStore>();
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddSingleton<PredictionWaiters>();
        builder.Services.AddSingleton<LongPoll>();
        return builder;
    }
}
