using Microsoft.Extensions.Options;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Worker.Inference;

public static class InferenceExtensions
{
    /// <summary>The bounded pool of threads that runs the model.</summary>
    public static IHostApplicationBuilder AddInference(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InferenceOptions>()
            .BindConfiguration(InferenceOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<FaultInjectionWarning>();

        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<InferenceOptions>>().Value;
            var journal = InferenceJournal.Open(options.JournalFile, options.MaxConcurrency, options.MaxBatchSize);
            if (journal.Suspects.Count > 0)
            {
                services.GetRequiredService<ILogger<InferenceJournal>>().LogWarning(
                    "The previous worker died while computing {Suspects}: each is computed again alone, from {SuspectQueue}",
                    string.Join(", ", journal.Suspects), Topology.SuspectQueue);
            }

            return journal;
        });
        builder.Services.AddSingleton<InferencePool>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InferencePool>());
        return builder;
    }
}
