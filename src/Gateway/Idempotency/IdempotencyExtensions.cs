using Microsoft.Extensions.DependencyInjection.Extensions;
using Predictions.Gateway.Stores;
using Predictions.Storage.Hosting;

namespace Predictions.Gateway.Idempotency;

public static class IdempotencyExtensions
{
    /// <summary>
    /// The store of <c>Idempotency-Key</c>s, kept in the results database (<c>ConnectionStrings:Results</c>) beside
    /// the statuses, with its own schema there.
    /// </summary>
    public static IHostApplicationBuilder AddIdempotency(this IHostApplicationBuilder builder)
    {
        builder.AddStoreDatabase(ResultsDatabase.Name, IdempotencySchema.Store);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IdempotencyStore>();
        return builder;
    }
}
