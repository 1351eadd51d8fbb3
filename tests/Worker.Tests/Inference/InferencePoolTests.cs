using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Predictions.Messaging.Outcomes;
using Predictions.Worker.Inference;
using Predictions.Worker.Models;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Tests.Inference;

public sealed class InferencePoolTests
{
    private static readonly ModelInput Input = new(1.5, new Dictionary<string, double>());

    [Fact]
    public async Task Never_runs_more_inferences_at_once_than_it_has_threads()
    {
        var model = new ObservingModel(TimeSpan.FromMilliseconds(20));
        using var pool = await StartAsync(model, threads: 3);

        await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None)));

        Assert.Equal(3, model.PeakConcurrency);
        Assert.Equal(24, model.Calls);
    }

    [Fact]
    public async Task Runs_the_model_on_its_own_threads_never_on_the_thread_pool()
    {
        var model = new ObservingModel(TimeSpan.Zero);
        using var pool = await StartAsync(model, threads: 2);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None)));

        Assert.All(model.Threads, thread => Assert.False(thread.IsThreadPoolThread));
        Assert.All(model.Threads, thread => Assert.StartsWith("inference-", thread.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reports_when_an_inference_waited_started_and_ended()
    {
        using var pool = await StartAsync(new ObservingModel(TimeSpan.FromMilliseconds(5)), threads: 1);

        var outcome = await pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None);

        Assert.Equal(3.0, outcome.Prediction);
        Assert.True(outcome.QueuedAt <= outcome.StartedAt);
        Assert.True(outcome.StartedAt < outcome.CompletedAt);
    }

    [Fact]
    public async Task A_model_exception_fails_only_its_own_inference()
    {
        var model = new ObservingModel(TimeSpan.Zero, fail: input => input.FeatureValue < 0);
        using var pool = await StartAsync(model, threads: 1);

        var failing = pool.PredictAsync(Guid.NewGuid(), Input with { FeatureValue = -1 }, deadline: null, CancellationToken.None);
        var fine = pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => failing);
        Assert.Equal(3.0, (await fine).Prediction);
    }

    [Fact]
    public async Task A_cancelled_inference_is_never_run()
    {
        using var gate = new ManualResetEventSlim();
        var model = new ObservingModel(TimeSpan.Zero, gate: gate);
        using var pool = await StartAsync(model, threads: 1);
        using var cancel = new CancellationTokenSource();

        var first = pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None);
        var abandoned = pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        gate.Set();
        await first;
        await pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None);

        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task Stopping_finishes_queued_work_then_refuses_more()
    {
        using var gate = new ManualResetEventSlim();
        var model = new ObservingModel(TimeSpan.Zero, gate: gate);
        using var pool = await StartAsync(model, threads: 1);
        var queued = Enumerable.Range(0, 5).Select(_ => pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None)).ToList();

        var stopping = pool.StopAsync(CancellationToken.None);
        Assert.Throws<InferencePoolStoppedException>(() =>
        {
            _ = pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None);
        });
        gate.Set();
        await stopping;

        Assert.All(queued, task => Assert.True(task.IsCompletedSuccessfully));
        Assert.False(pool.IsRunning);
    }

    [Fact]
    public async Task An_inference_whose_deadline_passes_while_it_waits_for_a_thread_is_never_run()
    {
        using var gate = new ManualResetEventSlim();
        var model = new ObservingModel(TimeSpan.Zero, gate: gate);
        var clock = new FakeTimeProvider();
        using var pool = await StartAsync(model, threads: 1, clock);

        var first = pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None);
        var late = pool.PredictAsync(Guid.NewGuid(), Input, deadline: clock.GetUtcNow().AddSeconds(1), CancellationToken.None);
        var inTime = pool.PredictAsync(Guid.NewGuid(), Input, deadline: clock.GetUtcNow().AddSeconds(10), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(2));
        gate.Set();

        await first;
        var expired = await Assert.ThrowsAsync<DeadlinePassedException>(() => late);
        Assert.Equal(ExpiryReason.For(clock.GetUtcNow().AddSeconds(-1)), expired.Message);
        await inTime;
        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task Inputs_waiting_together_run_in_one_model_call_of_at_most_MaxBatchSize()
    {
        using var gate = new ManualResetEventSlim();
        var model = new ObservingModel(TimeSpan.Zero, gate: gate, batching: true);
        using var meters = Meters();
        using var batchSizes = new MetricCollector<int>(
            meters.GetRequiredService<IMeterFactory>(), WorkerMetrics.MeterName, "prediction.inference.batch.size");
        using var pool = await StartAsync(model, threads: 1, batch: (4, TimeSpan.FromMilliseconds(200)), meters: meters);

        var predictions = Enumerable.Range(0, 10)
            .Select(i => pool.PredictAsync(Guid.NewGuid(), Input with { FeatureValue = i }, deadline: null, CancellationToken.None))
            .ToList();
        gate.Set();
        var outcomes = await Task.WhenAll(predictions);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => 2.0 * i), outcomes.Select(outcome => outcome.Prediction));
        Assert.Equal(10, model.BatchSizes.Sum());
        Assert.All(model.BatchSizes, size => Assert.InRange(size, 1, 4));
        Assert.Equal(4, model.BatchSizes.Max());
        Assert.Equal(model.BatchSizes, batchSizes.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Contains(outcomes, outcome => outcome.BatchSize == 4);
        Assert.All(outcomes, outcome => Assert.True(outcome.QueuedAt <= outcome.TakenAt && outcome.TakenAt <= outcome.StartedAt));
    }

    [Fact]
    public async Task A_full_batch_runs_at_once_without_waiting_out_the_delay()
    {
        var model = new ObservingModel(TimeSpan.Zero, batching: true);
        using var pool = await StartAsync(model, threads: 1, batch: (4, TimeSpan.FromSeconds(10)));

        var batch = Task.WhenAll(Enumerable.Range(0, 4)
            .Select(_ => pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None)));

        // Far less than the 10 s delay: only a full batch that goes at once completes within it.
        var outcomes = await batch.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.All(outcomes, outcome => Assert.Equal(4, outcome.BatchSize));
    }

    [Fact]
    public async Task A_thread_does_not_wait_to_fill_a_batch_while_another_thread_is_idle()
    {
        var model = new ObservingModel(TimeSpan.Zero, batching: true);
        using var pool = await StartAsync(model, threads: 2, batch: (8, TimeSpan.FromSeconds(10)));

        // Far less than the 10 s delay: the input goes alone, as the idle thread would serve the next one.
        var outcome = await pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1, outcome.BatchSize);
    }

    [Fact]
    public async Task A_batch_goes_early_when_a_deadline_in_it_is_near_so_batching_never_expires_it()
    {
        var model = new ObservingModel(TimeSpan.Zero, batching: true);
        using var pool = await StartAsync(model, threads: 1, batch: (8, TimeSpan.FromSeconds(5)));

        // Waiting out the 5 s delay for a fuller batch would pass this deadline.
        var outcome = await pool.PredictAsync(Guid.NewGuid(), Input, deadline: DateTimeOffset.UtcNow.AddSeconds(2), CancellationToken.None);

        Assert.Equal(3.0, outcome.Prediction);
        Assert.Equal(1, outcome.BatchSize);
    }

    [Fact]
    public async Task An_input_the_model_rejects_fails_alone_and_the_rest_of_its_batch_completes()
    {
        using var gate = new ManualResetEventSlim();
        var model = new ObservingModel(TimeSpan.Zero, fail: input => input.FeatureValue < 0, gate: gate, batching: true);
        using var pool = await StartAsync(model, threads: 1, batch: (4, TimeSpan.FromSeconds(10)));

        var predictions = new[] { 1.0, -1.0, 2.0, 3.0 }
            .Select(value => pool.PredictAsync(Guid.NewGuid(), Input with { FeatureValue = value }, deadline: null, CancellationToken.None))
            .ToList();
        gate.Set();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => predictions[1]);
        var completed = await Task.WhenAll(predictions[0], predictions[2], predictions[3]);
        Assert.Equal([2.0, 4.0, 6.0], completed.Select(outcome => outcome.Prediction));
        Assert.Equal([4, 1, 1, 1, 1], model.BatchSizes);
    }

    [Fact]
    public async Task With_MaxBatchSize_1_every_input_runs_alone()
    {
        using var gate = new ManualResetEventSlim();
        var model = new ObservingModel(TimeSpan.Zero, gate: gate, batching: true);
        using var pool = await StartAsync(model, threads: 1, batch: (1, TimeSpan.FromSeconds(10)));

        var predictions = Enumerable.Range(0, 6)
            .Select(_ => pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None))
            .ToList();
        gate.Set();
        var outcomes = await Task.WhenAll(predictions).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.All(model.BatchSizes, size => Assert.Equal(1, size));
        Assert.All(outcomes, outcome => Assert.Equal(1, outcome.BatchSize));
    }

    [Fact]
    public void A_model_that_cannot_batch_refuses_a_MaxBatchSize_above_1()
    {
        using var meters = Meters();
        var refused = Assert.Throws<InvalidOperationException>(() => new InferencePool(
            TestLanes.One(new ObservingModel(TimeSpan.Zero), maxBatchSize: 8), InferenceJournalTests.Scratch(1),
            Options.Create(new InferenceOptions { MaxConcurrency = 1, MaxBatchSize = 8 }),
            new WorkerMetrics(meters.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<InferencePool>.Instance));

        Assert.Contains("Inference:MaxBatchSize", refused.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Meters() => new ServiceCollection().AddMetrics().BuildServiceProvider();

    private static async Task<InferencePool> StartAsync(
        IPredictionModel model, int threads, TimeProvider? clock = null, (int Size, TimeSpan Delay)? batch = null, ServiceProvider? meters = null)
    {
        var journal = InferenceJournalTests.Scratch(threads, batch?.Size ?? 1);
        var options = new InferenceOptions
        {
            MaxConcurrency = threads,
            MaxBatchSize = batch?.Size ?? 1,
            MaxBatchDelay = batch?.Delay ?? TimeSpan.Zero,
        };
        var metrics = new WorkerMetrics((meters ?? Meters()).GetRequiredService<IMeterFactory>());
        var pool = new InferencePool(
            TestLanes.One(model), journal, Options.Create(options), metrics, clock ?? TimeProvider.System, NullLogger<InferencePool>.Instance);
        await pool.StartAsync(CancellationToken.None);
        return pool;
    }
}

/// <summary>One inference in the pool's only lane.</summary>
internal static class OneLanePool
{
    public static Task<InferenceOutcome> PredictAsync(
        this InferencePool pool, Guid predictionId, ModelInput input, DateTimeOffset? deadline, CancellationToken cancellationToken) =>
        pool.PredictAsync(pool.Lanes[0], predictionId, input, deadline, cancellationToken);
}
