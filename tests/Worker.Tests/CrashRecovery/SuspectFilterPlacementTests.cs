using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using MassTransit.Serialization;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Worker.Metadata;
using Predictions.Worker.Models;
using Predictions.Worker.Pipeline;

namespace Predictions.Worker.Tests.CrashRecovery;

/// <summary>
/// <c>AddCrashRecovery</c> alone puts the suspect filter on the work queue, whose definition knows nothing of it:
/// a request the journal names is moved to the suspect queue uncomputed, the others are computed as usual. It
/// sits where the consumer's own filters go: inside the endpoint's retries, behind the consumer's concurrency
/// limit, after the consumer factory.
/// </summary>
public sealed class SuspectFilterPlacementTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("predictions-crash-recovery-");

    [Fact]
    public async Task A_request_the_journal_names_is_moved_to_the_suspect_queue_uncomputed_and_the_others_are_computed()
    {
        var suspect = Guid.NewGuid();
        var other = Guid.NewGuid();
        var metadata = new ScriptedMetadataSource(new Dictionary<string, double> { ["price"] = 1 });
        var model = new ObservingModel(TimeSpan.Zero);
        using var host = Build(metadata, model, suspect);
        await host.StartAsync();
        var harness = host.Services.GetRequiredService<ITestHarness>();

        await harness.Bus.Publish(Request(suspect));
        await harness.Bus.Publish(Request(other));

        Assert.True(await harness.Sent.Any<PredictionRequest>(sent => sent.Context.Message.PredictionId == suspect), "the suspect was not moved");
        var moved = harness.Sent.Select<PredictionRequest>(sent => sent.Context.Message.PredictionId == suspect).Single().Context;
        Assert.Equal(new Uri($"loopback://localhost/{Topology.SuspectQueue}"), moved.DestinationAddress);
        Assert.Contains("in the model when a worker died", moved.Headers.Get<string>(Topology.SuspectHeader), StringComparison.Ordinal);

        Assert.True(await harness.Published.Any<PredictionCompleted>(), "the other request was not computed");
        Assert.Equal(other, Assert.Single(harness.Published.Select<PredictionCompleted>()).Context.Message.PredictionId);
        Assert.Equal(1, model.Calls);
        Assert.Equal(1, metadata.Calls);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_prediction_in_the_model_each_time_the_allowed_crashes_happened_is_set_aside_uncomputed_whichever_copy_comes()
    {
        var poison = Guid.NewGuid();
        var model = new ObservingModel(TimeSpan.Zero);
        using var host = Build(new ScriptedMetadataSource(new Dictionary<string, double>()), model, poison, crashes: 3);
        await host.StartAsync();
        var harness = host.Services.GetRequiredService<ITestHarness>();

        // The request and a duplicate of it, as a lost acknowledgement or a retried publish leaves behind.
        await harness.Bus.Publish(Request(poison));
        await harness.Bus.Publish(Request(poison));

        Assert.True(await harness.Sent.Any<PredictionRequest>(sent => sent.Context.Message.PredictionId == poison), "the poison was not set aside");
        await harness.InactivityTask;
        var setAside = harness.Sent.Select<PredictionRequest>().Select(sent => sent.Context).ToList();
        Assert.Equal(2, setAside.Count);
        Assert.All(setAside, sent =>
        {
            Assert.Equal(new Uri($"loopback://localhost/{Topology.PoisonQueue}"), sent.DestinationAddress);
            Assert.Contains(
                "in the model each of the 3 times a worker died", sent.Headers.Get<string>(Topology.PoisonedHeader), StringComparison.Ordinal);
            Assert.Equal(3, sent.Headers.Get<int>(Topology.CrashesHeader));
        });
        Assert.Equal(0, model.Calls);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_poison_request_an_operator_replays_gets_its_tries_again()
    {
        var poison = Guid.NewGuid();
        var model = new ObservingModel(TimeSpan.Zero);
        using var host = Build(new ScriptedMetadataSource(new Dictionary<string, double>()), model, poison, crashes: 3);
        await host.StartAsync();
        var harness = host.Services.GetRequiredService<ITestHarness>();

        // Replayed from the poison queue with the count it was set aside with: moved to the suspect queue, not set aside.
        await harness.Bus.Publish(Request(poison), publish => publish.Headers.Set(Topology.CrashesHeader, 3));

        Assert.True(await harness.Sent.Any<PredictionRequest>(sent => sent.Context.Message.PredictionId == poison), "the replay was not moved");
        var moved = Assert.Single(harness.Sent.Select<PredictionRequest>()).Context;
        Assert.Equal(new Uri($"loopback://localhost/{Topology.SuspectQueue}"), moved.DestinationAddress);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_filter_runs_in_the_request_consumers_pipe_after_the_retries_and_the_concurrency_limit()
    {
        using var host = Build(new ScriptedMetadataSource(new Dictionary<string, double>()), new ObservingModel(TimeSpan.Zero), Guid.NewGuid());
        await host.StartAsync();
        var probe = JsonSerializer.SerializeToNode(
            host.Services.GetRequiredService<ITestHarness>().Bus.GetProbeResult(), SystemTextJsonMessageSerializer.Options)!;
        await host.StopAsync();

        // MassTransit's description of the work queue's pipe, in the order a request passes through it.
        var workQueue = probe["results"]!["bus"]!["host"]!["receiveEndpoint"]!.AsArray()
            .Single(endpoint => (string?)endpoint!["name"] == Topology.WorkQueue)!;
        var requests = Descendants(workQueue).Single(node => (string?)node["filterType"] == "dispatchPipe"
            && ((string?)node["outputType"])?.EndsWith($"<{typeof(PredictionRequest).FullName}>", StringComparison.Ordinal) == true);
        var beforeConsumer = requests["filters"]!.AsArray().Select(filter => (string?)filter!["filterType"]).ToList();
        Assert.Equal(["request-outcome", "retry", "concurrencyLimit"], beforeConsumer);

        var consumer = requests["consumer"]!;
        Assert.Equal(typeof(PredictionRequestConsumer).FullName, (string?)consumer["type"]);
        Assert.Single(Descendants(consumer["filters"]!), node => (string?)node["filterType"] == "suspect");
    }

    private static IEnumerable<JsonObject> Descendants(JsonNode node) => node switch
    {
        JsonObject obj => obj.SelectMany(property => property.Value is null ? [] : Descendants(property.Value)).Prepend(obj),
        JsonArray array => array.SelectMany(item => item is null ? [] : Descendants(item)),
        _ => [],
    };

    public void Dispose() => _folder.Delete(recursive: true);

    private static PredictionRequest Request(Guid id) => CrashRecoveryHost.Request(id);

    /// <summary>A worker whose previous processes died with <paramref name="suspect"/> in the model, <paramref name="crashes"/> times.</summary>
    private IHost Build(IMetadataSource metadata, IPredictionModel model, Guid suspect, int crashes = 1) =>
        CrashRecoveryHost.Build(_folder, metadata, model, suspect, crashes);
}
