using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Predictions.Worker.Inference;

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
        Assert.Throws<InvalidOperationException>(() => { _ = pool.PredictAsync(Guid.NewGuid(), Input, deadline: null, CancellationToken.None); });
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
        Assert.Equal(clock.GetUtcNow().AddSeconds(-1), expired.Deadline);
        await inTime;
        Assert.Equal(2, model.Calls);
    }

    private static async Task<InferencePool> StartAsync(IPredictionModel model, int threads, TimeProvider? clock = null)
    {
        var journal = InferenceJournalTests.Scratch(threads);
        var pool = new InferencePool(model, journal, Options.Create(new InferenceOptions { MaxConcurrency = threads }), clock ?? TimeProvider.System, NullLogger<InferencePool>.Instance);
        await pool.StartAsync(CancellationToken.None);
        return pool;
    }
}
