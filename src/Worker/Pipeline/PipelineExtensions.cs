using Predictions.ServiceDefaults.Resilience;
using Predictions.Worker.Lanes;

namespace Predictions.Worker.Pipeline;

public static class PipelineExtensions
{
    /// <summary>What the request consumer needs besides metadata and inference.</summary>
    public static IHostApplicationBuilder AddPipeline(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddRetryPolicy(RetryPolicies.Requests);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(WorkerIdentity.ForThisProcess());
        return builder;
    }
}
