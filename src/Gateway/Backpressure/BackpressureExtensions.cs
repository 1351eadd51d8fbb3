using Predictions.Messaging.Broker;


namespace Predictions.Gateway.Backpressure;

public static class BackpressureExtensions
{
    /// <summary>
    /// Turns a full work queue into a quick 429, priced by the measured drain rate; a refusal while the queue is not
    /// full (a quorum queue between leaders) is the broker being unavailable.
    /// </summary>
    public static IHostApplicationBuilder AddBackpressure(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DrainRate>();
        builder.Services.AddPlainBrokerConnection();
        builder.Services.AddSingleton<IWorkQueueDepth, WorkQueueDepth>();
        return builder;
    }
}
