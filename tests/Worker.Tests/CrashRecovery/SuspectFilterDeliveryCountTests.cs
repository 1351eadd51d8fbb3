using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Predictions.Contracts;
using Predictions.Messaging;

namespace Predictions.Worker.Tests.CrashRecovery;

/// <summary>
/// The bound the worker applies itself to how often the broker handed a request out before, read from
/// <c>x-acquired-count</c> (RabbitMQ 4.3+) or <c>x-delivery-count</c> (3.x–4.2): beyond <c>WorkQueue:DeliveryLimit</c>
/// on the work queue it moves to the suspect queue, beyond <c>WorkQueue:SuspectDeliveryLimit</c> there it is set aside.
/// </summary>
public sealed class SuspectFilterDeliveryCountTests : IDisposable
{
    private static readonly WorkQueueOptions Limits = new();

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("predictions-delivery-counts-");

    [Theory]
    [InlineData("x-acquired-count")]
    [InlineData("x-delivery-count")]
    public async Task A_request_returned_to_the_work_queue_more_often_than_its_limit_moves_to_the_suspect_queue_uncomputed(string count)
    {
        var returned = Guid.NewGuid();
        var atTheLimit = Guid.NewGuid();
        var model = new ObservingModel(TimeSpan.Zero);
        using var host = Build(model);
        await host.StartAsync();
        var (harness, sent) = (host.Services.GetRequiredService<ITestHarness>(), host.Services.GetRequiredService<SentRequests>());

        await harness.Bus.Publish(CrashRecoveryHost.Request(returned), publish => publish.Headers.Set(count, Limits.DeliveryLimit + 1));
        await harness.Bus.Publish(CrashRecoveryHost.Request(atTheLimit), publish => publish.Headers.Set(count, Limits.DeliveryLimit));

        var moved = await sent.FirstAsync(Topology.SuspectQueue, returned);
        Assert.True(await harness.Published.Any<PredictionCompleted>(), "the request at the limit was not computed");
        await harness.InactivityTask;
        Assert.Equal(atTheLimit, Assert.Single(harness.Published.Select<PredictionCompleted>()).Context.Message.PredictionId);
        Assert.Single(sent.To(Topology.SuspectQueue));
        Assert.StartsWith(
            $"returned {Limits.DeliveryLimit + 1} times to {Topology.WorkQueue}; moved by ",
            moved.Headers.Get<string>(Topology.SuspectHeader),
            StringComparison.Ordinal);
        Assert.Null(moved.Headers.Get<int>(count)); // a copy is a new message, counted afresh where it goes
        Assert.Equal(1, model.Calls);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("x-acquired-count")]
    [InlineData("x-delivery-count")]
    public async Task A_request_returned_to_the_suspect_queue_more_often_than_its_limit_is_set_aside_uncomputed_with_the_reason(string count)
    {
        var returned = Guid.NewGuid();
        var atTheLimit = Guid.NewGuid();
        var model = new ObservingModel(TimeSpan.Zero);
        using var host = Build(model, consumesSuspects: true);
        await host.StartAsync();
        var (harness, sent) = (host.Services.GetRequiredService<ITestHarness>(), host.Services.GetRequiredService<SentRequests>());
        var suspects = await harness.Bus.GetSendEndpoint(new Uri($"queue:{Topology.SuspectQueue}"));

        await suspects.Send(CrashRecoveryHost.Request(returned), send => send.Headers.Set(count, Limits.SuspectDeliveryLimit + 1));
        await suspects.Send(CrashRecoveryHost.Request(atTheLimit), send => send.Headers.Set(count, Limits.SuspectDeliveryLimit));

        var setAside = await sent.FirstAsync(Topology.PoisonQueue, returned);
        Assert.True(await harness.Published.Any<PredictionCompleted>(), "the request at the limit was not computed");
        await harness.InactivityTask;
        Assert.Equal(atTheLimit, Assert.Single(harness.Published.Select<PredictionCompleted>()).Context.Message.PredictionId);
        Assert.Single(sent.To(Topology.PoisonQueue));
        Assert.StartsWith(
            $"returned {Limits.SuspectDeliveryLimit + 1} times to {Topology.SuspectQueue}; set aside uncomputed by ",
            setAside.Headers.Get<string>(Topology.PoisonedHeader),
            StringComparison.Ordinal);
        Assert.Equal(Limits.SuspectDeliveryLimit + 1, setAside.Headers.Get<int>(Topology.CrashesHeader));
        Assert.Null(setAside.Headers.Get<int>(count));
        Assert.Equal(1, model.Calls);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_count_that_is_not_a_number_counts_as_none_and_the_request_is_computed()
    {
        var model = new ObservingModel(TimeSpan.Zero);
        using var host = Build(model);
        await host.StartAsync();
        var (harness, sent) = (host.Services.GetRequiredService<ITestHarness>(), host.Services.GetRequiredService<SentRequests>());

        await harness.Bus.Publish(CrashRecoveryHost.Request(Guid.NewGuid()), publish => publish.Headers.Set("x-acquired-count", "many"));

        Assert.True(await harness.Published.Any<PredictionCompleted>(), "the request was not computed");
        await harness.InactivityTask;
        Assert.Empty(sent.To(Topology.SuspectQueue));
        Assert.Equal(1, model.Calls);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_request_the_broker_dead_lettered_to_the_suspect_queue_is_computed_there_whatever_count_it_brought()
    {
        // RabbitMQ 4.0.5, a limit of 2: the first delivery from the suspect queue said x-delivery-count 3, the work queue's count.
        var deadLettered = Guid.NewGuid();
        var movedAfterAnEarlierDeath = Guid.NewGuid();
        var model = new ObservingModel(TimeSpan.Zero);
        using var host = Build(model, consumesSuspects: true);
        await host.StartAsync();
        var (harness, sent) = (host.Services.GetRequiredService<ITestHarness>(), host.Services.GetRequiredService<SentRequests>());
        var suspects = await harness.Bus.GetSendEndpoint(new Uri($"queue:{Topology.SuspectQueue}"));

        await suspects.Send(CrashRecoveryHost.Request(deadLettered), send => DeadLetteredFromTheWorkQueue(send.Headers));
        await suspects.Send(CrashRecoveryHost.Request(movedAfterAnEarlierDeath), send =>
        {
            DeadLetteredFromTheWorkQueue(send.Headers);
            send.Headers.Set(Topology.SuspectHeader, "in the model when a worker died; moved by host/1");
        });

        await sent.FirstAsync(Topology.PoisonQueue, movedAfterAnEarlierDeath);
        Assert.True(await harness.Published.Any<PredictionCompleted>(), "the dead-lettered request was not computed");
        await harness.InactivityTask;
        Assert.Equal(deadLettered, Assert.Single(harness.Published.Select<PredictionCompleted>()).Context.Message.PredictionId);
        Assert.Single(sent.To(Topology.PoisonQueue));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_request_set_aside_for_its_returns_gets_its_tries_again_when_replayed_even_those_the_journal_counted()
    {
        // An earlier replay forgave 4 crashes; the journal counted 6 (2 since), then the suspect queue returned it 3 times.
        var id = Guid.NewGuid();
        using var host = CrashRecoveryHost.Build(
            _folder, Metadata(), new ObservingModel(TimeSpan.Zero), suspect: id, crashes: 6, consumesSuspects: true);
        await host.StartAsync();
        var (harness, sent) = (host.Services.GetRequiredService<ITestHarness>(), host.Services.GetRequiredService<SentRequests>());
        var suspects = await harness.Bus.GetSendEndpoint(new Uri($"queue:{Topology.SuspectQueue}"));
        await suspects.Send(CrashRecoveryHost.Request(id), send =>
        {
            send.Headers.Set(Topology.CrashesHeader, 4);
            send.Headers.Set("x-acquired-count", Limits.SuspectDeliveryLimit + 1);
        });
        var setAside = await sent.FirstAsync(Topology.PoisonQueue, id);
        Assert.Equal(6, setAside.Headers.Get<int>(Topology.CrashesHeader));

        // Replayed through the requests exchange with every header it was set aside with, as the operator's shovel does.
        await harness.Bus.Publish(CrashRecoveryHost.Request(id), publish =>
        {
            foreach (var (key, value) in setAside.Headers.GetAll())
            {
                publish.Headers.Set(key, value);
            }
        });

        // Counted 6 times, forgiven 6: in the journal, so moved to the suspect queue, not set aside again.
        await sent.FirstAsync(Topology.SuspectQueue, id);
        await harness.InactivityTask;
        Assert.Single(sent.To(Topology.PoisonQueue));
        await host.StopAsync();
    }

    public void Dispose() => _folder.Delete(recursive: true);

    /// <summary>What RabbitMQ 4 puts on a request its work queue dead-lettered: its count there, and where it died.</summary>
    private static void DeadLetteredFromTheWorkQueue(SendHeaders headers)
    {
        headers.Set("x-delivery-count", Limits.DeliveryLimit + 1);
        headers.Set("x-last-death-queue", Topology.WorkQueue);
    }

    private static ScriptedMetadataSource Metadata() => new(new Dictionary<string, double> { ["price"] = 1 });

    private IHost Build(ObservingModel model, bool consumesSuspects = false) =>
        CrashRecoveryHost.Build(_folder, Metadata(), model, suspect: null, consumesSuspects: consumesSuspects);
}
