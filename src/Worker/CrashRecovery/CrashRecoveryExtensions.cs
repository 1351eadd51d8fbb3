using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;

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
            // Room for the largest batch of any version in the catalog: the rollout may load one while the worker runs.
            var lanes = services.GetRequiredService<ServedLanes>();
            var maxBatchSize = lanes.All.Select(lane => lane.MaxBatchSize ?? options.MaxBatchSize)
                .Concat(lanes.Catalog.Entries.Select(entry => entry.Manifest.MaxBatchSize))
                .Max();
            var journal = InferenceJournal.Open(options.JournalFile, options.MaxConcurrency, maxBatchSize);
            if (journal.Suspects.Count > 0)
            {
                services.GetRequiredService<ILogger<InferenceJournal>>().LogWarning(
                    "The previous worker died while computing {Suspects}: each is computed again alone, from its lane's suspect queue",
                    string.Join(", ", journal.Suspects));
            }

            return journal;
        });
        builder.Services.AddSingleton<SuspectFilter>();
        builder.Services.AddSingleton<IConfigureReceiveEndpoint, SuspectFilterPlacement>();
        return builder;
    }
}
