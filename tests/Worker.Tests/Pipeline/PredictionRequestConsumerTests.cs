using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Messaging.Outages;
using Predictions.ServiceDefaults.Resilience;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;
using Predictions.Worker.Metadata;
using Predictions.Worker.Models;
using Predictions.Worker.Pipeline;
using Predictions.Worker.Telemetry;
using Predictions.Worker.Tests.Inference;

namespace Predictions.Worker.Tests.Pipeline;

public sealed class PredictionRequestConsumerTests
{
    private static readonly TimeSpan LongestOutagePause = RetryPolicies.Rule(RetryPolicies.OutageWaits).Defaults[^1];

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
    public async Task A_model_answer_that_is_not_a_finite_number_fails_the_prediction_once_naming_it()
    {
        var model = new ObservingModel(TimeSpan.Zero);
        await using var provider = Build(new ScriptedMetadataSource(Features), model);
        var harness = await StartAsync(provider);

        // The model doubles it: beyond a double's range.
        await harness.Bus.Publish(Request(featureValue: 1e308));

        var failed = await SingleAsync<PredictionFailed>(harness);
        Assert.Contains("answered Infinity, which is not a finite number", failed.Error, StringComparison.Ordinal);
        Assert.NotNull(failed.Timings.InferenceCompletedAt);
        Assert.Equal(1, model.Calls);
        Assert.False(await harness.Published.Any<PredictionCompleted>());
    }

    [Fact]
    public async Task Metadata_that_is_not_a_finite_number_fails_the_prediction_naming_the_feature_without_an_inference()
    {
        var model = new ObservingModel(TimeSpan.Zero);
        var metadata = new ScriptedMetadataSource(new Dictionary<string, double> { ["price"] = double.NaN });
        await using var provider = Build(metadata, model);
        var harness = await StartAsync(provider);

        await harness.Bus.Publish(Request(itemId: 3));

        var failed = await SingleAsync<PredictionFailed>(harness);
        Assert.Equal("the metadata of item 3 is unreadable: 'price' is NaN, which is not a finite number", failed.Error);
        Assert.Equal(0, model.Calls);
        Assert.Equal(1, metadata.Calls);
    }

    [Fact]
    public async Task A_service_that_keeps_failing_one_item_while_it_answers_others_fails_that_request_after_the_budget_and_completes_the_others()
    {
        var clock = new SteppingClock();
        var budget = TimeSpan.FromSeconds(30);
        var metadata = new ScriptedMetadataSource(Features, failingItem: 5, clock: clock);
        await using var provider = Build(metadata, new ObservingModel(TimeSpan.Zero), clock, itemFailureBudget: budget);
        var harness = await StartAsync(provider);

        await harness.Bus.Publish(Request(itemId: 5, featureValue: 1));
        await WaitUntilAsync(() => metadata.FailingItemCalls == 1);
        await harness.Bus.Publish(Request(itemId: 6, featureValue: 2));
        Assert.Equal(4, (await SingleAsync<PredictionCompleted>(harness)).Prediction);

        // Each step ends whatever pause the waiting request is in (at most 10 s), so it fetches once more.
        var start = clock.GetUtcNow();
        while (!Published<PredictionFailed>(harness).Any())
        {
            Assert.True(clock.GetUtcNow() - start < budget + TimeSpan.FromMinutes(1), "the request was never failed");
            var before = metadata.FailingItemCalls;
            await clock.StepWhenWaitingAsync(LongestOutagePause);
            await WaitUntilAsync(() => metadata.FailingItemCalls > before || Published<PredictionFailed>(harness).Any());
        }

        var failed = Assert.Single(Published<PredictionFailed>(harness));
        Assert.StartsWith("the metadata service kept failing for item 5 for ", failed.Error, StringComparison.Ordinal);
        Assert.Contains(
            "while it answered other items; the last failure: the metadata service answered 500 for item 5", failed.Error, StringComparison.Ordinal);
        var waited = failed.FailedAt - failed.Timings.ReceivedAt;
        Assert.InRange(waited, budget, budget + (3 * LongestOutagePause));

        // The next request for that item fails at its first failure, without a pause: the item is known to fail.
        var calls = metadata.FailingItemCalls;
        await harness.Bus.Publish(Request(itemId: 5, featureValue: 3));
        await WaitUntilAsync(() => Published<PredictionFailed>(harness).Count() == 2);
        Assert.Equal(calls + 1, metadata.FailingItemCalls);
    }

    [Fact]
    public async Task An_outage_of_the_whole_service_is_waited_out_past_the_item_budget_and_the_request_completes_after_it()
    {
        var clock = new SteppingClock();
        var metadata = new ScriptedMetadataSource(Features, clock: clock) { Down = true };
        await using var provider = Build(
            metadata, new ObservingModel(TimeSpan.Zero), clock, itemFailureBudget: TimeSpan.FromSeconds(10), maxOutageWait: TimeSpan.FromMinutes(5));
        var harness = await StartAsync(provider);

        await harness.Bus.Publish(Request(featureValue: 7));
        await AdvanceWhileWaitingAsync(clock, TimeSpan.FromMinutes(1));
        Assert.Empty(Published<PredictionFailed>(harness));

        metadata.Down = false;
        await clock.StepUntilAsync(() => Published<PredictionCompleted>(harness).Any(), LongestOutagePause);
        Assert.Equal(14, (await SingleAsync<PredictionCompleted>(harness)).Prediction);
        Assert.Empty(harness.Sent.Select<PredictionRequest>(Snapshot));
    }

    [Fact]
    public async Task A_request_whose_outage_outlasts_the_longest_wait_goes_back_to_the_tail_of_its_queue_and_completes_from_there()
    {
        var clock = new SteppingClock();
        var metadata = new ScriptedMetadataSource(Features, clock: clock) { Down = true };
        var maxWait = TimeSpan.FromSeconds(40);
        await using var provider = Build(
            metadata, new ObservingModel(TimeSpan.Zero), clock, itemFailureBudget: TimeSpan.FromSeconds(10), maxOutageWait: maxWait);
        var harness = await StartAsync(provider);
        var request = Request(featureValue: 8);

        await harness.Bus.Publish(request);
        await AdvanceWhileWaitingAsync(clock, maxWait);
        Assert.True(await harness.Sent.Any<PredictionRequest>(), "the request was not given back to its queue");
        var returned = Assert.Single(harness.Sent.Select<PredictionRequest>(Snapshot)).Context;
        Assert.Equal(new Uri($"loopback://localhost/{Topology.WorkQueue}"), returned.DestinationAddress);
        Assert.Equal(1, returned.Headers.Get<int>(OutageReturn.ReturnsHeader));
        Assert.Equal(request.PredictionId, returned.Message.PredictionId);

        // The copy waits out the rest of the outage like any request, and completes once.
        metadata.Down = false;
        await clock.StepUntilAsync(() => Published<PredictionCompleted>(harness).Any(), LongestOutagePause);
        Assert.Equal(16, (await SingleAsync<PredictionCompleted>(harness)).Prediction);
        Assert.Empty(Published<PredictionFailed>(harness));
    }

    [Fact]
    public async Task An_exception_nobody_foresaw_fails_the_prediction_once_its_retries_are_spent_and_sends_it_to_the_error_queue_with_the_reason()
    {
        var metadata = new ScriptedMetadataSource(Features, faultItem: 13);
        await using var provider = Build(metadata, new ObservingModel(TimeSpan.Zero));
        var harness = await StartAsync(provider);
        var request = Request(itemId: 13);

        await harness.Bus.Publish(request);

        var failed = await SingleAsync<PredictionFailed>(harness);
        Assert.Equal(request.PredictionId, failed.PredictionId);
        Assert.Equal(
            $"the worker could not compute it (InvalidOperationException: a bug nobody foresaw, for item 13); "
            + $"it was set aside in {Topology.WorkQueue}_error for an operator",
            failed.Error);
        Assert.Equal(4, metadata.Calls);

        // Still a fault, so MassTransit moves it to the error queue with the exception as its reason.
        Assert.True(await harness.Consumed.Any<PredictionRequest>(consumed => consumed.Exception is InvalidOperationException));
    }

    [Theory]
    [InlineData("00:00:00.01", 2)]
    [InlineData("00:00:00.01,00:00:00.01,00:00:00.01,00:00:00.01,00:00:00.01", 6)]
    public async Task A_request_that_keeps_failing_is_tried_once_and_once_more_per_pause_of_its_retry_policy(string pauses, int tries)
    {
        var metadata = new ScriptedMetadataSource(Features, faultItem: 13);
        await using var provider = Build(metadata, new ObservingModel(TimeSpan.Zero), settings: new() { ["Retries:Requests:Intervals"] = pauses });
        var harness = await StartAsync(provider);

        await harness.Bus.Publish(Request(itemId: 13));

        await SingleAsync<PredictionFailed>(harness);
        Assert.Equal(tries, metadata.Calls);
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
        Assert.True(
            expired.Timings.MetadataStartedAt < deadline,
            $"the fetch began at {expired.Timings.MetadataStartedAt:O}, not before the deadline {deadline:O}");
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
        Assert.Empty(Published<PredictionFailed>(harness));
        Assert.Equal(0, model.Calls);
    }

    private static PredictionRequest Request(long itemId = 1, double featureValue = 1) => new()
    {
        PredictionId = Guid.NewGuid(),
        ItemId = itemId,
        FeatureValue = featureValue,
        SubmittedAt = DateTimeOffset.UtcNow,
    };

    private static ServiceProvider Build(
        IMetadataSource metadata,
        IPredictionModel model,
        TimeProvider? clock = null,
        TimeSpan? itemFailureBudget = null,
        TimeSpan? maxOutageWait = null,
        Dictionary<string, string?>? settings = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build())
            .AddLogging()
            .AddMetrics()
            .AddSingleton<WorkerMetrics>()
            .AddSingleton<FailingItems>()
            .AddSingleton<OutageWait>()
            .AddTransient<MetadataWait>()
            .AddSingleton(metadata)
            .AddSingleton(model)
            .AddSingleton(TestLanes.One(model))
            .AddSingleton(clock ?? TimeProvider.System)
            .AddSingleton(new WorkerIdentity("test-worker"))
            .AddSingleton(InferenceJournalTests.Scratch(2))
            .AddSingleton<InferencePool>()
            .AddLaneRouting();
        services.AddOptions<InferenceOptions>().Configure(o => o.MaxConcurrency = 2);
        services.AddOptions<WorkerOptions>();
        services.AddOptions<MetadataOptions>().Configure(o => o.ItemFailureBudget = itemFailureBudget ?? o.ItemFailureBudget);
        services.AddOptions<OutageOptions>().Configure(o => o.MaxWait = maxOutageWait ?? o.MaxWait);
        services.AddRetryPolicy(RetryPolicies.Requests);
        services.AddRetryPolicy(RetryPolicies.OutageWaits);
        services.Configure<MassTransitHostOptions>(options => options.ConsumerStopTimeout = TimeSpan.FromSeconds(1));
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<PredictionRequestConsumer, PredictionRequestConsumerDefinition>();
            bus.UsingInMemory((context, cfg) => TestLanes.ConfigureEndpoints(context, cfg));
        });
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static async Task<ITestHarness> StartAsync(ServiceProvider provider)
    {
        await provider.GetRequiredService<InferencePool>().StartAsync(CancellationToken.None);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return harness;
    }

    /// <summary>Moves the clock on by <paramref name="howLong"/>, a longest pause at a time, each time a request begins a pause.</summary>
    private static async Task AdvanceWhileWaitingAsync(SteppingClock clock, TimeSpan howLong)
    {
        for (var end = clock.GetUtcNow() + howLong; clock.GetUtcNow() < end;)
        {
            await clock.StepWhenWaitingAsync(LongestOutagePause);
        }
    }

    /// <summary>For the harness's lists: what they hold now, without waiting for more.</summary>
    private static readonly CancellationToken Snapshot = new(canceled: true);

    private static IEnumerable<T> Published<T>(ITestHarness harness)
        where T : class => harness.Published.Select<T>(Snapshot).Select(published => published.Context.Message);

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
        return Assert.Single(Published<T>(harness));
    }
}
