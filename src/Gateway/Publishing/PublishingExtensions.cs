using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Gateway.Publishing;

public static class PublishingExtensions
{
    /// <summary>HTTP submissions go to the work queue alone, on a confirm channel of the gateway's own.</summary>
    public static IHostApplicationBuilder AddSubmissionPublisher(this IHostApplicationBuilder builder)
    {
        builder.Services.AddPlainBrokerConnection();
        builder.Services.AddSingleton<ISubmissionPublisher, SubmissionPublisher>();
        return builder;
    }
}
