using Predictions.ServiceDefaults.Storage;

namespace Predictions.Gateway.Status;

public static class StatusExtensions
{
    /// <summary>The status store (<c>ConnectionStrings:Results</c>) clients poll.</summary>
    public static IHostApplicationBuilder AddStatusStore(this IHostApplicationBuilder builder)
    {
        builder.AddSqliteDatabase(PredictionStatusStore.Database, PredictionStatusStore.Schema);
        builder.Services.AddSingleton<PredictionStatusStore>();
        return builder;
    }
}
