using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Predictions.Contracts;
using Predictions.Worker.Inference;
using Predictions.Worker.Metadata;
using Predictions.Worker.Models;
using Predictions.Worker.Pipeline;
using Predictions.Worker.Telemetry;
using Predictions.Worker.Tests.CrashRecovery;

namespace Predictions.Worker.Tests.Pipeline;

public sealed class PredictionRequestConsumerTests
{
    private static readonly Dictionary<string, double> Features = new() { ["price"] = 12.5 };

    [Fact]
    public async Task Publishes_completed_with_twice_the_feature_value_and_the_items_metadata()
    {
        await using var provider = Build(new ScriptedMetadataSource(Features), new ObservingModel(TimeSpan.Zero));
        var harness = await StartAsync(provider);
        var request = Request(featureValue: 5);

        await harness.Bus.Publish(request);

        var completed = await SingleAsync<PredictionCompleted>(harness);
        Assert.Equal(request.PredictionId, completed.PredictionId);
        Assert.Equal(10, completed.Prediction);
        Assert.Equal(Features, completed.Metadata);
        Assert.Equal("test-worker", completed.Worker);
        Assert.Equal(new ModelIdentity { Name = "observing", Version = "1" }, completed.Model);
        Assert.True(completed.Timings.MetadataCompletedAt <= completed.Timings.InferenceStartedAt);
        Assert.False(await harness.Published.Any<PredictionFailed>());
    }

    [Fact]
    public async Task A_deadline_further_off_than_a_timer_can_run_completes_like_any_other()
    {
        await using var provider = Build(new ScriptedMetadataSource(Features), new ObservingModel(TimeSpan.Zero));
        var harness = await StartAsync(provider);

        await harness.Bus.Publish(Request(featureValue: 4) with { Deadline = DateTimeOffset.UtcNow.AddDays(100) });

        Assert.Equal(8, (await SingleAsync<PredictionCompleted>(harness)).Prediction);
    }

    [Fact]
    public async Task An_unknown_item_becomes_a_failed_prediction_with_the_reason()
    {
        await using var provider = Build(new ScriptedMetadataSource(Features, unknownItem: 404), new ObservingModel(TimeSpan.Zero));
        var harness = await StartAsync(provider);

        await harness.Bus.Publish(Request(itemId: 404));

        var failed = await SingleAsync<PredictionFailed>(harness);
        Assert.Contains("unknown item 404", failed.Error, StringComparison.Ordinal);
        Assert.Null(failed.Timings.InferenceStartedAt);
    }

    [Fact]
    public async Task A_model_that_rejects_the_input_becomes_a_failed_prediction()
    {
        await using var provider = Build(new ScriptedMetadataSource(Features), new ObservingModel(TimeSpan.Zero, fail: _ => true));
        var harness = await StartAsync(provider);

        await harness.Bus.Publish(Request());

        var failed = await SingleAsync<PredictionFailed>(harness);
        Assert.StartsWith("inference failed", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transient_metadata_error_is_retried_and_the_prediction_completes()
    {
        var metadata = new ScriptedMetadataSource(Features, transientFailures: 2);
        await using var provider = Build(metadata, new ObservingModel(TimeSpan.Zero));
        var harness = await StartAsync(provider);

        await harness.Bus.Publish(Request(featureValue: 1));

        Assert.Equal(2, (await SingleAsync<PredictionCompleted>(harness)).Prediction);
        Assert.Equal(3, metadata.Calls);
    }

    [Fact]
    public async Task Without_a_prediction_id_the_message_id_becomes_the_prediction_id()
    {
        await using var provider = Build(new ScriptedMetadataSource(Features), new ObservingModel(TimeSpan.Zero));
        var harness = await StartAsync(provider);
        var messageId = Guid.NewGuid();

        await harness.Bus.Publish(Request() with { PredictionId = Guid.Empty }, context => context.MessageId = messageId);

        Assert.Equal(messageId, (await SingleAsync<PredictionCompleted>(harness)).PredictionId);
    }

    [Fact]
    public async Task A_request_whose_deadline_passed_in_the_queue_expires_without_a_fetch_or_an_inference()
    {
        var metadata = new ScriptedMetadataSource(Features);
        var model = new ObservingModel(TimeSpan.Zero);
        await using var provider = Build(metadata, model);
        var harness = await StartAsync(provider);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(-1);

        await harness.Bus.Publish(Request() with { Deadline = deadline });

        var expired = await SingleAsync<PredictionExpired>(harness);
        Assert.Equal(deadline, expired.Deadline);
        Assert.Null(expired.Timings.MetadataStartedAt);
        Assert.Equal(0, metadata.Calls);
        Assert.Equal(0, model.Calls);
        Assert.False(await harness.Published.Any<PredictionCompleted>());
    }

    [Fact]
    public async Task A_deadline_that_passes_during_the_metadata_fetch_cuts_it_short_and_expires()
    {
        // The test moves the clock: the deadline passes once the fetch has begun, however slow the delivery.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var metadata = new ScriptedMetadataSource(Features, latency: TimeSpan.FromHours(1));
        var model = new ObservingModel(TimeSpan.Zero);
        await using var provider = Build(metadata, model, clock);
        var harness = await StartAsync(provider);
        var deadline = clock.GetUtcNow().AddSeconds(5);

        await harness.Bus.Publish(Request() with { Deadline = deadline });
        await WaitUntilAsync(() => metadata.Calls == 1);
        clock.Advance(TimeSpan.FromSeconds(5));

        var expired = await SingleAsync<PredictionExpired>(harness);
        Assert.True(expired.Timings.MetadataStartedAt < deadline, $"the fetch began at {expired.Timings.MetadataStartedAt:O}, not before the deadline {deadline:O}");
        Assert.True(expired.ExpiredAt >= deadline, $"expired at {expired.ExpiredAt:O}, before the deadline {deadline:O}");
        Assert.Null(expired.Timings.InferenceQueuedAt);
        Assert.Equal(0, model.Calls);
    }

    [Fact]
    public async Task A_deadline_in_the_future_does_not_stop_the_prediction()
    {
        await using var provider = Build(new ScriptedMetadataSource(Features), new ObservingModel(TimeSpan.Zero));
        var harness = await StartAsync(provider);

        await harness.Bus.Publish(Request(featureValue: 3) with { Deadline = DateTimeOffset.UtcNow.AddMinutes(5) });

        Assert.Equal(6, (await SingleAsync<PredictionCompleted>(harness)).Prediction);
        Assert.False(await harness.Published.Any<PredictionExpired>());
    }

    [Fact]
    public async Task A_request_that_arrives_while_the_pool_stops_is_held_uncomputed_and_given_back_when_the_endpoint_stops()
    {
        var metadata = new ScriptedMetadataSource(Features);
        var model = new ObservingModel(TimeSpan.Zero);
        await using var provider = Build(metadata, model);
        var harness = await StartAsync(provider);
        await provider.GetRequiredService<InferencePool>().StopAsync(CancellationToken.None);

        await harness.Bus.Publish(Request());
        await WaitUntilAsync(() => metadata.Calls == 1);
        await harness.Stop();

        // Cancelled by the endpoint's stop: MassTransit returns it to its queue, never to the error queue.
        var consumed = Assert.Single(harness.Consumed.Select<PredictionRequest>());
        Assert.IsAssignableFrom<OperationCanceledException>(consumed.Exception);
        Assert.Empty(harness.Published.Select<PredictionFailed>());
        Assert.Equal(0, model.Calls);
    }

    private static PredictionRequest Request(long itemId = 1, double featureValue = 1) => new()
    {
        PredictionId = Guid.NewGuid(),
        ItemId = itemId,
        FeatureValue = featureValue,
        SubmittedAt = DateTimeOffset.UtcNow,
    };

    private static ServiceProvider Build(IMetadataSource metadata, IPredictionModel model, TimeProvider? clock = null)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton<WorkerMetrics>()
            .AddSingleton(metadata)
            .AddSingleton(model)
            .AddSingleton(clock ?? TimeProvider.System)
            .AddSingleton(new WorkerIdentity("test-worker"))
            .AddSingleton(InferenceJournalTests.Scratch(2))
            .AddSingleton<InferencePool>();
        services.AddOptions<InferenceOptions>().Configure(o => o.MaxConcurrency = 2);
        services.AddOptions<WorkerOptions>();
        services.Configure<MassTransitHostOptions>(options => options.ConsumerStopTimeout = TimeSpan.FromSeconds(1));
        services.AddMassTransitTestHarness(bus => bus.AddConsumer<PredictionRequestConsumer, PredictionRequestConsumerDefinition>());
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static async Task<ITestHarness> StartAsync(ServiceProvider provider)
    {
        await provider.GetRequiredService<InferencePool>().StartAsync(CancellationToken.None);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return harness;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    private static async Task<T> SingleAsync<T>(ITestHarness harness)
        where T : class
    {
        Assert.True(await harness.Published.Any<T>(), $"no {typeof(T).Name} was published");
        return Assert.Single(harness.Published.Select<T>()).Context.Message;
    }
}
