using MassTransit;

namespace Predictions.Gateway.Backpressure;

public static class BackpressureExtensions
{
    /// <summary>Turns a full work queue into a quick 429, priced by the measured drain rate.</summary>
    public static IHostApplicationBuilder AddBackpressure(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DrainRate>();
        builder.Services.AddSingleton<RefusedPublishes>();
        builder.Services.AddPublishObserver(provider => provider.GetRequiredService<RefusedPublishes>());
        return builder;
    }
}
