using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Messaging;
using Predictions.Worker.Inference;

namespace Predictions.Worker.CrashRecovery;

public static class CrashRecoveryExtensions
{
    /// <summary>
    /// What isolates a request that crashes the worker: the inference journal, which names the requests in the
    /// model when a worker died, and the filter that moves them off the work queue. The suspect and poisoned
    /// endpoints are found with the other consumers.
    /// </summary>
    public static IHostApplicationBuilder AddCrashRecovery(this IHostApplicationBuilder builder)
    {
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
        builder.Services.AddSingleton<SuspectFilter>();
        builder.Services.AddSingleton<IConfigureReceiveEndpoint, SuspectFilterPlacement>();
        return builder;
    }
}
