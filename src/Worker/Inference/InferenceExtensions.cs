using Predictions.ServiceDefaults.Health;

namespace Predictions.Worker.Inference;

public static class InferenceExtensions
{
    /// <summary>The bounded pool of threads that runs the model; the worker is ready only while the pool runs.</summary>
    public static IHostApplicationBuilder AddInference(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InferenceOptions>()
            .BindConfiguration(InferenceOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<InferencePool>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InferencePool>());
        builder.Services.AddHealthChecks().AddCheck<InferencePoolHealthCheck>("inference-pool", tags: [HealthExtensions.Ready]);
        return builder;
    }
}
