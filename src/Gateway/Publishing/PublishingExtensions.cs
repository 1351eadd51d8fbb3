using Microsoft.Extensions.DependencyInjection.Extensions;
using Predictions.Messaging.Broker;
using Predictions.ServiceDefaults.Health;
using Predictions.ServiceDefaults.Resilience;

namespace Predictions.Gateway.Publishing;

public static class PublishingExtensions
{
    /// <summary>
    /// HTTP submissions go to the work queue alone, on a confirm channel of the gateway's own; the gateway is ready only
    /// while it can publish there.
    /// </summary>
    public static IHostApplicationBuilder AddSubmissionPublisher(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PublishingOptions>()
            .BindConfiguration(PublishingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddPlainBrokerConnection();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PublisherReadiness>();

        // Paused within the submission's Gateway:PublishTimeout, which ends a pause that outlasts it.
        builder.Services.AddRetryPolicy(RetryPolicies.PublisherChannel);
        builder.Services.AddSingleton<SubmissionPublisher>();
        builder.Services.AddSingleton<ISubmissionPublisher>(services => services.GetRequiredService<SubmissionPublisher>());
        builder.Services.AddHealthChecks()
            .AddCheck<PublisherHealthCheck>(
                "submission-publisher", failureStatus: null, tags: [HealthExtensions.Ready], timeout: TimeSpan.FromSeconds(5));
        return builder;
    }
}
