using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Predictions.Contracts;
using Predictions.Messaging.Catalog;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;
using Predictions.Worker.Models;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Tests.Inference;

public sealed class InferencePoolLaneTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Two_lanes_never_run_more_inferences_at_once_than_the_pool_has_threads_and_each_answers_with_its_own_model()
    {
        var overlap = new Overlap();
        var doubling = new LaneModel("doubling", factor: 2, overlap, TimeSpan.FromMilliseconds(10));
        var tripling = new LaneModel("tripling", factor: 3, overlap, TimeSpan.FromMilliseconds(10));
        using var pool = await StartAsync(doubling, tripling, threads: 3);
        var (first, second) = (pool.Lanes[0], pool.Lanes[1]);

        var answers = Enumerable.Range(1, 24).SelectMany(value => new[]
        {
            (Factor: 2.0, Value: value, Task: pool.PredictAsync(first, Guid.NewGuid(), Input(value), deadline: null, CancellationToken.None)),
            (Factor: 3.0, Value: value, Task: pool.PredictAsync(second, Guid.NewGuid(), Input(value), deadline: null, CancellationToken.None)),
        }).ToList();
        await Task.WhenAll(answers.Select(answer => answer.Task)).WaitAsync(Deadline);

        Assert.All(answers, answer => Assert.Equal(answer.Factor * answer.Value, answer.Task.Result.Prediction));
        Assert.Equal(3, overlap.Peak);
        Assert.Equal(24, doubling.Calls);
        Assert.Equal(24, tripling.Calls);
    }

    [Fact]
    public async Task A_lane_with_a_request_in_the_worker_keeps_its_share_while_another_lane_is_busy()
    {
        using var gate = new ManualResetEventSlim();
        var overlap = new Overlap();
        var slow = new LaneModel("slow", factor: 2, overlap, gate: gate);
        var fast = new LaneModel("fast", factor: 3, overlap);
        using var pool = await StartAsync(slow, fast, threads: 2);
        var (slowLane, fastLane) = (pool.Lanes[0], pool.Lanes[1]);

        Task<InferenceOutcome>[] slowAnswers;
        using (pool.Expect(fastLane))
        {
            slowAnswers = [.. Enumerable.Range(1, 6).Select(value =>
                pool.PredictAsync(slowLane, Guid.NewGuid(), Input(value), deadline: null, CancellationToken.None))];
            Assert.True(await slow.Entered.WaitAsync(Deadline));

            var answer = await pool.PredictAsync(fastLane, Guid.NewGuid(), Input(5), deadline: null, CancellationToken.None)
                .WaitAsync(Deadline);

            Assert.Equal(15.0, answer.Prediction);
            Assert.All(slowAnswers, task => Assert.False(task.IsCompleted));
            Assert.Equal(1, slow.Peak);
            Assert.Equal(1, slow.Calls);
        }

        gate.Set();
        await Task.WhenAll(slowAnswers).WaitAsync(Deadline);
        Assert.Equal(6, slow.Calls);
    }

    [Fact]
    public async Task A_lane_runs_on_every_thread_while_no_other_lane_has_a_request_in_the_worker()
    {
        using var gate = new ManualResetEventSlim();
        var overlap = new Overlap();
        var slow = new LaneModel("slow", factor: 2, overlap, gate: gate);
        var fast = new LaneModel("fast", factor: 3, overlap);
        using var pool = await StartAsync(slow, fast, threads: 2);

        var slowAnswers = Enumerable.Range(1, 6)
            .Select(value => pool.PredictAsync(pool.Lanes[0], Guid.NewGuid(), Input(value), deadline: null, CancellationToken.None))
            .ToList();
        Assert.True(await slow.Entered.WaitAsync(Deadline));
        Assert.True(await slow.Entered.WaitAsync(Deadline));
        gate.Set();
        await Task.WhenAll(slowAnswers).WaitAsync(Deadline);

        Assert.Equal(2, slow.Peak);
        Assert.Equal(0, fast.Calls);
    }

    [Fact]
    public async Task A_lane_whose_last_request_just_left_keeps_its_share_for_the_hold_and_lends_it_once_the_hold_ends()
    {
        using var gate = new ManualResetEventSlim();
        var clock = new FakeTimeProvider();
        var overlap = new Overlap();
        var slow = new LaneModel("slow", factor: 2, overlap, gate: gate);
        var fast = new LaneModel("fast", factor: 3, overlap);
        using var pool = await StartAsync(slow, fast, threads: 2, clock, shareHold: TimeSpan.FromSeconds(1));
        var (slowLane, fastLane) = (pool.Lanes[0], pool.Lanes[1]);

        // The fast lane's client got its answer a moment ago and has not sent its next request yet.
        using (pool.Expect(fastLane))
        {
            await pool.PredictAsync(fastLane, Guid.NewGuid(), Input(1), deadline: null, CancellationToken.None).WaitAsync(Deadline);
        }

        var slowAnswers = Enumerable.Range(1, 4)
            .Select(value => pool.PredictAsync(slowLane, Guid.NewGuid(), Input(value), deadline: null, CancellationToken.None))
            .ToList();
        Assert.True(await slow.Entered.WaitAsync(Deadline));

        // Within the hold the second thread stays kept for the fast lane, whatever real time passes: the clock does not move.
        Assert.False(await slow.Entered.WaitAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(1, slow.Peak);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await slow.Entered.WaitAsync(Deadline), "the hold ended, yet the kept thread was not lent");
        Assert.Equal(2, slow.Peak);
        gate.Set();
        await Task.WhenAll(slowAnswers).WaitAsync(Deadline);
    }

    private static ModelInput Input(double value) => new(value, new Dictionary<string, double>());

    private static async Task<InferencePool> StartAsync(
        IPredictionModel first, IPredictionModel second, int threads, TimeProvider? clock = null, TimeSpan? shareHold = null)
    {
        var lanes = new ServedLanes(
            [new ServedLane(0, first, isDefault: true, maxBatchSize: null, share: 1), new ServedLane(1, second, false, null, 1)],
            first.Identity,
            ModelCatalog.Empty);
        var options = new InferenceOptions
        {
            MaxConcurrency = threads,
            MaxBatchSize = 1,
            MaxBatchDelay = TimeSpan.Zero,
            ShareHold = shareHold ?? TimeSpan.Zero,
        };
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new WorkerMetrics(meters.GetRequiredService<IMeterFactory>());
        var pool = new InferencePool(
            lanes,
            InferenceJournalTests.Scratch(threads),
            Options.Create(options),
            metrics,
            clock ?? TimeProvider.System,
            NullLogger<InferencePool>.Instance);
        await pool.StartAsync(CancellationToken.None);
        return pool;
    }

    /// <summary>How many inferences run at once across every model sharing it, and the most there ever were.</summary>
    private sealed class Overlap
    {
        private int _current;
        private int _peak;

        public int Peak => Volatile.Read(ref _peak);

        public void Enter() => Raise(ref _peak, Interlocked.Increment(ref _current));

        public void Leave() => Interlocked.Decrement(ref _current);

        public static void Raise(ref int peak, int now)
        {
            for (var seen = Volatile.Read(ref peak); now > seen; seen = Volatile.Read(ref peak))
            {
                Interlocked.CompareExchange(ref peak, now, seen);
            }
        }
    }

    /// <summary>
    /// A model answering <paramref name="factor"/> × featureValue after <paramref name="cost"/>, optionally held at a
    /// gate; it counts its calls and overlaps, alone and in <paramref name="overlap"/>, and signals each call it begins.
    /// </summary>
    private sealed class LaneModel(string name, double factor, Overlap overlap, TimeSpan cost = default, ManualResetEventSlim? gate = null)
        : IPredictionModel
    {
        private int _current;
        private int _peak;
        private int _calls;

        public ModelIdentity Identity { get; } = new() { Name = name, Version = "1" };

        public bool SupportsBatching => false;

        public int Peak => Volatile.Read(ref _peak);

        public int Calls => Volatile.Read(ref _calls);

        /// <summary>Released once as each call begins.</summary>
        public SemaphoreSlim Entered { get; } = new(0);

        public IReadOnlyList<double> Predict(IReadOnlyList<ModelInput> inputs)
        {
            Interlocked.Increment(ref _calls);
            Overlap.Raise(ref _peak, Interlocked.Increment(ref _current));
            overlap.Enter();
            try
            {
                Entered.Release();
                gate?.Wait(Deadline);
                if (cost > TimeSpan.Zero)
                {
                    Thread.Sleep(cost);
                }

                return [.. inputs.Select(input => factor * input.FeatureValue)];
            }
            finally
            {
                overlap.Leave();
                Interlocked.Decrement(ref _current);
            }
        }
    }
}
