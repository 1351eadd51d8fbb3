using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Predictions.Contracts;
using Predictions.Messaging.Outages;
using Predictions.ServiceDefaults.Resilience;
using Predictions.Worker.CrashRecovery;
using Predictions.Worker.Inference;
using Predictions.Worker.Metadata;
using Predictions.Worker.Models;
using Predictions.Worker.Pipeline;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Tests.CrashRecovery;

/// <summary>A worker with <c>AddCrashRecovery</c> on MassTransit's in-memory harness, its journal file in a folder of the test's.</summary>
internal static class CrashRecoveryHost
{
    /// <summary>
    /// Its previous processes died with <paramref name="suspect"/> in the model, <paramref name="crashes"/> times; it
    /// consumes the work queue, and the suspect queue too when <paramref name="consumesSuspects"/>; <see cref="SentRequests"/> records
    /// what it sends.
    /// </summary>
    public static IHost Build(
        DirectoryInfo folder, IMetadataSource metadata, IPredictionModel model, Guid? suspect, int crashes = 1, bool consumesSuspects = false)
    {
        var journalFile = Path.Combine(folder.FullName, "inference.journal");
        for (var crash = 0; suspect is { } id && crash < crashes; crash++)
        {
            using var previous = InferenceJournal.Open(journalFile, threads: 1);
            previous.Enter(0, [id]);
        }

        var builder = Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings { ContentRootPath = folder.FullName, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Inference:JournalFile"] = journalFile,
            ["Inference:MaxConcurrency"] = "1",
        });
        builder.AddWorkerTelemetry();
        builder.AddPipeline();
        builder.AddInference();
        builder.AddCrashRecovery();
        builder.AddMetadata();
        builder.Services.AddOptions<OutageOptions>();
        builder.Services.AddSingleton<OutageWait>();
        builder.Services.AddRetryPolicy(RetryPolicies.OutageWaits);
        builder.Services.AddSingleton(metadata);
        builder.Services.AddSingleton(model);
        builder.Services.AddSingleton(TestLanes.One(model));
        builder.Services.AddLaneRouting();
        builder.Services.AddSingleton<SentRequests>();
        builder.Services.AddSendObserver(services => services.GetRequiredService<SentRequests>());
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<PredictionRequestConsumer, PredictionRequestConsumerDefinition>();
            if (consumesSuspects)
            {
                bus.AddConsumer<SuspectRequestConsumer, SuspectRequestConsumerDefinition>();
            }

            bus.UsingInMemory((context, cfg) => TestLanes.ConfigureEndpoints(context, cfg, consumesSuspects));
        });
        return builder.Build();
    }

    public static PredictionRequest Request(Guid id) => new()
    {
        PredictionId = id,
        ItemId = 1,
        FeatureValue = 2,
        SubmittedAt = DateTimeOffset.UtcNow,
    };
}
