using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Predictions.Worker.Lanes;
using Predictions.Worker.Models;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Inference;

/// <summary>
/// Dedicated threads that run the blocking model calls of every lane, so however slow a model, the thread pool serving
/// the broker connection and the awaited I/O is never starved. Lanes share the threads by weight (<c>Models:Shares</c>):
/// a lane that has requests in the worker, or had one within <c>Inference:ShareHold</c>, keeps its share free for them
/// (⌊threads × share ÷ all shares⌋), and the threads no such lane keeps go to whichever lane has the fewest running for
/// its share. A thread runs one lane's batch at a time, so never more than <c>Inference:MaxConcurrency</c> inferences run
/// at once, whatever the lanes.
/// </summary>
public sealed class InferencePool : IHostedService, IDisposable
{
    private readonly List<ServedLane> _lanes;
    private readonly InferenceJournal _journal;
    private readonly WorkerMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<InferencePool> _logger;
    private readonly TimeSpan _maxBatchDelay;
    private readonly object _lock = new();
    private readonly List<Queue<WorkItem>> _waiting;
    private readonly List<int> _running;
    private readonly List<int> _expected;
    private readonly List<long> _quietSince;
    private readonly TimeSpan _shareHold;
    private readonly int _defaultBatchSize;
    private List<int> _minimum;

    // Replaced whole when a lane is added, so it is read without the lock.
    private volatile int[] _batchSizes;
    private readonly Thread[] _threads;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _completed;
    private int _queued;
    private int _threadsRunning;
    private int _busy;
    private int _engaged;

    public InferencePool(
        ServedLanes lanes,
        InferenceJournal journal,
        IOptions<InferenceOptions> options,
        WorkerMetrics metrics,
        TimeProvider clock,
        ILogger<InferencePool> logger)
    {
        var inference = options.Value;
        _defaultBatchSize = inference.MaxBatchSize;
        _batchSizes = [.. lanes.All.Select(lane => lane.MaxBatchSize ?? inference.MaxBatchSize)];
        foreach (var lane in lanes.All.Where(lane => _batchSizes[lane.Index] > 1 && lane.HasModel && !lane.Model.SupportsBatching))
        {
            throw new InvalidOperationException(
                $"{InferenceOptions.Section}:MaxBatchSize is {_batchSizes[lane.Index]}, "
                + $"but the model '{lane.Identity.Name}' takes one input per call: set {InferenceOptions.Section}:MaxBatchSize to 1.");
        }

        _lanes = [.. lanes.All];
        _journal = journal;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        _maxBatchDelay = inference.MaxBatchDelay;
        _waiting = [.. lanes.All.Select(_ => new Queue<WorkItem>())];
        _running = [.. lanes.All.Select(_ => 0)];
        _expected = [.. lanes.All.Select(_ => 0)];
        _quietSince = [.. lanes.All.Select(_ => long.MinValue)];
        _shareHold = inference.ShareHold;
        _threads = new Thread[inference.MaxConcurrency];
        _minimum = Minimums();
        for (var i = 0; i < _threads.Length; i++)
        {
            var thread = i;
            _threads[i] = new Thread(() => Serve(thread)) { IsBackground = true, Name = $"inference-{i + 1}" };
        }

        metrics.ObservePool(MaxConcurrency, () => Busy, () => Queued);
    }

    public int MaxConcurrency => _threads.Length;

    /// <summary>The lanes whose models this pool runs.</summary>
    public IReadOnlyList<ServedLane> Lanes
    {
        get
        {
            lock (_lock)
            {
                return [.. _lanes];
            }
        }
    }

    /// <summary>Threads running a model right now.</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Inferences waiting for a thread.</summary>
    public int Queued => Volatile.Read(ref _queued);

    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _threadsRunning > 0 && !_completed;
            }
        }
    }

    /// <summary>Inputs one model call of <paramref name="lane"/> may take.</summary>
    public int MaxBatchSizeOf(ServedLane lane) => _batchSizes[lane.Index];

    /// <summary>
    /// Says a request of <paramref name="lane"/> is in the worker (awaiting its metadata, say) until the scope is
    /// disposed: while one is, and for <c>Inference:ShareHold</c> after, the lane's guaranteed threads are kept for it.
    /// </summary>
    public ExpectedScope Expect(ServedLane lane)
    {
        lock (_lock)
        {
            _expected[lane.Index]++;
        }

        return new ExpectedScope(this, lane.Index);
    }

    /// <summary>
    /// As <see cref="Expect"/>, unless the lane is draining: then false, and the request must go elsewhere. Checked under
    /// the lock that drains it, so a lane's model is never released while a request it took is in the worker.
    /// </summary>
    public bool TryExpect(ServedLane lane, [NotNullWhen(true)] out ExpectedScope? scope)
    {
        lock (_lock)
        {
            if (lane.IsDraining)
            {
                scope = null;
                return false;
            }

            _expected[lane.Index]++;
        }

        scope = new ExpectedScope(this, lane.Index);
        return true;
    }

    /// <summary>A lane the rollout added: <see cref="ServedLanes.Add"/> calls this as it adds it, so indexes agree.</summary>
    public void AddLane(ServedLane lane)
    {
        // No larger than the journal can name: a batch it could not name would crash unisolated.
        var batchSize = Math.Min(lane.MaxBatchSize ?? _defaultBatchSize, _journal.BatchSize);
        if (batchSize > 1 && lane.HasModel && !lane.Model.SupportsBatching)
        {
            throw new InvalidOperationException(
                $"Model {lane}: its batches are of up to {batchSize}, but the model takes one input per call: "
                + "set maxBatchSize to 1 in a new version.");
        }

        lock (_lock)
        {
            if (lane.Index != _lanes.Count)
            {
                throw new InvalidOperationException($"Lane {lane} has index {lane.Index}; the pool expected {_lanes.Count}.");
            }

            _lanes.Add(lane);
            _waiting.Add(new Queue<WorkItem>());
            _running.Add(0);
            _expected.Add(0);
            _quietSince.Add(long.MinValue);
            _batchSizes = [.. _batchSizes, batchSize];
            _minimum = Minimums();
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>The lane serves <paramref name="model"/>, loaded (again): it takes requests and has its share of the threads.</summary>
    public void Serve(ServedLane lane, IPredictionModel model)
    {
        lock (_lock)
        {
            lane.Serve(model);
            _minimum = Minimums();
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>
    /// Unloaded by the rollout: the lane takes no new request into the worker, what it holds runs to the end, and its share
    /// of the threads goes to the others. Returns once no request of the lane is left in the pool, with the model taken
    /// from the lane for the caller to release; null if the lane was loaded again meanwhile.
    /// </summary>
    public async Task<IPredictionModel?> DrainAsync(ServedLane lane, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            lane.Drain();
            _minimum = Minimums();
            Monitor.PulseAll(_lock);
        }

        while (true)
        {
            lock (_lock)
            {
                if (!lane.IsDraining)
                {
                    return null;
                }

                var i = lane.Index;
                if (_expected[i] == 0 && _waiting[i].Count == 0 && _running[i] == 0)
                {
                    return lane.TakeModel();
                }
            }

            // Draining takes as long as the lane's last requests: no need to hear of each one.
            await Task.Delay(TimeSpan.FromMilliseconds(100), _clock, cancellationToken);
        }
    }

    /// <summary>Each lane's guaranteed threads: ⌊threads × share ÷ all shares⌋ of those serving; none for a draining lane.</summary>
    private List<int> Minimums()
    {
        var shares = _lanes.Where(lane => !lane.IsDraining).Sum(lane => lane.Share);
        return [.. _lanes.Select(lane => lane.IsDraining || shares == 0 ? 0 : _threads.Length * lane.Share / shares)];
    }

    /// <summary>
    /// Queues one inference in <paramref name="lane"/> and completes when a pool thread has run it. With a deadline, the
    /// inference is not started once it has passed (<see cref="DeadlinePassedException"/>), and a thread gathering a
    /// batch stops waiting for more inputs <c>Inference:MaxBatchDelay</c> before it, so batching never makes it late.
    /// </summary>
    public Task<InferenceOutcome> PredictAsync(
        ServedLane lane, Guid predictionId, ModelInput input, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = new WorkItem(predictionId, input, deadline, _clock.GetUtcNow(), cancellationToken);
        lock (_lock)
        {
            if (_completed)
            {
                throw new InferencePoolStoppedException(cancellationToken);
            }

            _waiting[lane.Index].Enqueue(item);
            _queued++;
            Monitor.PulseAll(_lock);
        }

        return item.Task;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var thread in _threads)
        {
            thread.Start();
        }

        _logger.LogInformation(
            "Inference pool started with {Threads} threads for {Lanes} (guaranteed threads: {Minimums})",
            _threads.Length, string.Join(", ", _lanes), string.Join(", ", _minimum));
        return Task.CompletedTask;
    }

    /// <summary>Takes no new work, lets the threads finish what is queued, and waits for them within the host's shutdown timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        bool running;
        lock (_lock)
        {
            _completed = true;
            running = _threadsRunning > 0;
            Monitor.PulseAll(_lock);
        }

        if (!running)
        {
            return;
        }

        try
        {
            await _stopped.Task.WaitAsync(cancellationToken);
            _logger.LogInformation("Inference pool drained and stopped");
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Inference pool stopped before {Queued} queued and {Busy} running inferences finished", Queued, Busy);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.PulseAll(_lock);
        }
    }

    private void Serve(int thread)
    {
        lock (_lock)
        {
            _threadsRunning++;
        }

        try
        {
            var batch = new List<WorkItem>();
            while (Take() is ({ } lane, { } first))
            {
                Interlocked.Increment(ref _engaged);
                try
                {
                    Gather(lane, first, batch);
                    Run(thread, lane, batch);
                }
                finally
                {
                    batch.Clear();
                    Interlocked.Decrement(ref _engaged);
                    Release(lane);
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                if (--_threadsRunning == 0)
                {
                    _stopped.TrySetResult();
                }
            }
        }
    }

    /// <summary>The next lane to run and its oldest input, waiting for one; nulls once stopped and drained.</summary>
    private (ServedLane? Lane, WorkItem? First) Take()
    {
        lock (_lock)
        {
            while (true)
            {
                if (Pick() is { } index)
                {
                    var item = _waiting[index].Dequeue();
                    _queued--;
                    _running[index]++;
                    return (_lanes[index], item);
                }

                if (_completed && _queued == 0)
                {
                    return (null, null);
                }

                // A thread kept for a lane that went quiet is lent once its hold ends, without anything else waking it.
                if (NextHoldEnd() is { } wait)
                {
                    Monitor.Wait(_lock, wait);
                }
                else
                {
                    Monitor.Wait(_lock);
                }
            }
        }
    }

    /// <summary>
    /// Of the lanes with inputs waiting, the one with the fewest threads for its share, among those a thread may go to
    /// without taking one that another lane with requests in the worker is guaranteed. Called under the lock.
    /// </summary>
    private int? Pick()
    {
        var free = _threads.Length - _running.Sum();
        int? best = null;
        for (var lane = 0; lane < _waiting.Count; lane++)
        {
            if (_waiting[lane].Count == 0 || (!_completed && free - 1 < ReservedBesides(lane)))
            {
                continue;
            }

            // (running + 1) ÷ share, compared without division.
            if (best is not { } other
                || (long)(_running[lane] + 1) * _lanes[other].Share < (long)(_running[other] + 1) * _lanes[lane].Share)
            {
                best = lane;
            }
        }

        return best;
    }

    private int ReservedBesides(int lane)
    {
        var reserved = 0;
        for (var other = 0; other < _waiting.Count; other++)
        {
            if (other != lane && IsActive(other))
            {
                reserved += Math.Max(0, _minimum[other] - _running[other]);
            }
        }

        return reserved;
    }

    /// <summary>
    /// Whether <paramref name="lane"/>'s share is kept for it: while it has requests in the worker or waiting, and for
    /// <c>Inference:ShareHold</c> after its last one left, so that a client's next request finds the share still free
    /// rather than behind a long inference of another lane. Called under the lock.
    /// </summary>
    private bool IsActive(int lane) =>
        _expected[lane] > 0 || _waiting[lane].Count > 0
        || (_quietSince[lane] != long.MinValue && _clock.GetElapsedTime(_quietSince[lane]) < _shareHold);

    /// <summary>How long until the first hold of a quiet lane with a kept share ends, or null when none is held.</summary>
    private TimeSpan? NextHoldEnd()
    {
        TimeSpan? next = null;
        for (var lane = 0; lane < _waiting.Count; lane++)
        {
            if (_expected[lane] == 0 && _waiting[lane].Count == 0 && _quietSince[lane] != long.MinValue && _minimum[lane] > _running[lane])
            {
                var left = _shareHold - _clock.GetElapsedTime(_quietSince[lane]);
                if (left > TimeSpan.Zero && (next is null || left < next))
                {
                    next = left;
                }
            }
        }

        // Rounded up: a wait that ends a little early would find the hold not yet over and wait again.
        return next + TimeSpan.FromMilliseconds(1);
    }

    private void Release(ServedLane lane)
    {
        lock (_lock)
        {
            _running[lane.Index]--;
            Monitor.PulseAll(_lock);
        }
    }

    private void Unexpect(int lane)
    {
        lock (_lock)
        {
            // The last request of a lane gone: the threads kept for it may go to other lanes.
            if (--_expected[lane] == 0)
            {
                _quietSince[lane] = _clock.GetTimestamp();
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="first"/> and whatever else is waiting into the batch, then waits for more while it is
    /// not full and every other thread is busy: until <c>MaxBatchDelay</c> after its oldest input was queued, or
    /// <c>MaxBatchDelay</c> before the earliest deadline in it, whichever comes first. With <c>MaxBatchSize=1</c>
    /// it takes <paramref name="first"/> alone.
    /// </summary>
    private void Gather(ServedLane lane, WorkItem first, List<WorkItem> batch)
    {
        var flushAt = DateTimeOffset.MaxValue;
        var item = first;
        while (true)
        {
            if (Admit(item, batch))
            {
                flushAt = Min(flushAt, item.QueuedAt + _maxBatchDelay);
                if (item.Deadline is { } deadline)
                {
                    flushAt = Min(flushAt, deadline - _maxBatchDelay);
                }
            }

            // An empty batch goes back to waiting for work without a time limit.
            if (batch.Count == 0 || batch.Count >= _batchSizes[lane.Index] || Next(lane, flushAt) is not { } next)
            {
                return;
            }

            item = next;
        }
    }

    /// <summary>The lane's next waiting input, waiting for one until <paramref name="flushAt"/>; null if none came.</summary>
    private WorkItem? Next(ServedLane lane, DateTimeOffset flushAt)
    {
        var waiting = _waiting[lane.Index];
        lock (_lock)
        {
            while (true)
            {
                if (waiting.TryDequeue(out var item))
                {
                    _queued--;
                    return item;
                }

                // An idle thread would take the next input at once: waiting for it here would only delay this batch.
                var wait = flushAt - _clock.GetUtcNow();
                if (Volatile.Read(ref _engaged) < _threads.Length || _completed || wait <= TimeSpan.Zero)
                {
                    return null;
                }

                Monitor.Wait(_lock, wait);
            }
        }
    }

    /// <summary>Adds the item to the batch unless nobody awaits it any more or its deadline has passed.</summary>
    private bool Admit(WorkItem item, List<WorkItem> batch)
    {
        // The consumer gave up (shutdown, timeout): don't spend the model on an answer nobody awaits.
        var now = _clock.GetUtcNow();
        if (item.Task.IsCompleted || Expire(item, now))
        {
            return false;
        }

        item.TakenAt = now;
        batch.Add(item);
        return true;
    }

    /// <summary>Fails the item with <see cref="DeadlinePassedException"/> if its deadline is not after <paramref name="now"/>.</summary>
    private static bool Expire(WorkItem item, DateTimeOffset now)
    {
        if (item.Deadline is not { } deadline || deadline > now)
        {
            return false;
        }

        item.Fail(new DeadlinePassedException(deadline, item.QueuedAt));
        return true;
    }

    private void Run(int thread, ServedLane lane, List<WorkItem> batch)
    {
        var startedAt = _clock.GetUtcNow();
        batch.RemoveAll(item => item.Task.IsCompleted || Expire(item, startedAt));
        if (batch.Count == 0)
        {
            return;
        }

        Interlocked.Increment(ref _busy);
        try
        {
            if (batch.Count == 1 || !TryRunBatch(thread, lane, batch, startedAt))
            {
                foreach (var item in batch)
                {
                    RunAlone(thread, lane, item);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _busy);
        }
    }

    /// <summary>One model call for the whole batch; false if it threw, so that each input is tried alone and only the one at fault fails.</summary>
    private bool TryRunBatch(int thread, ServedLane lane, List<WorkItem> batch, DateTimeOffset startedAt)
    {
        _journal.Enter(thread, [.. batch.Select(item => item.PredictionId)]);
        using var span = WorkerTracing.StartBatch(batch.ConvertAll(item => item.Trace), lane.Identity);
        try
        {
            var predictions = Predict(lane, batch.ConvertAll(item => item.Input));
            var completedAt = _clock.GetUtcNow();
            _metrics.ModelCall(batch.Count, lane.Identity);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Complete(predictions[i], startedAt, completedAt, batch.Count);
            }

            return true;
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "A batch of {Count} inputs failed in the model {Model}; computing each alone", batch.Count, lane);
            return false;
        }
        finally
        {
            _journal.Leave(thread);
        }
    }

    private void RunAlone(int thread, ServedLane lane, WorkItem item)
    {
        var startedAt = _clock.GetUtcNow();
        _journal.Enter(thread, [item.PredictionId]);
        try
        {
            var prediction = Predict(lane, [item.Input])[0];
            _metrics.ModelCall(1, lane.Identity);
            item.Complete(prediction, startedAt, _clock.GetUtcNow(), batchSize: 1);
        }
        catch (Exception ex)
        {
            item.Fail(ex);
        }
        finally
        {
            _journal.Leave(thread);
        }
    }

    private static IReadOnlyList<double> Predict(ServedLane lane, List<ModelInput> inputs)
    {
        var predictions = lane.Model.Predict(inputs);
        return predictions.Count == inputs.Count
            ? predictions
            : throw new InvalidOperationException($"The model returned {predictions.Count} predictions for {inputs.Count} inputs.");
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>A request of a lane in the worker, until disposed (<see cref="Expect"/>).</summary>
    public sealed class ExpectedScope(InferencePool pool, int lane) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                pool.Unexpect(lane);
            }
        }
    }

    private sealed class WorkItem
    {
        private readonly TaskCompletionSource<InferenceOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _cancellation;

        public WorkItem(Guid predictionId, ModelInput input, DateTimeOffset? deadline, DateTimeOffset queuedAt, CancellationToken cancellationToken)
        {
            PredictionId = predictionId;
            Input = input;
            Deadline = deadline;
            QueuedAt = queuedAt;
            Trace = Activity.Current?.Context ?? default;
            _cancellation = cancellationToken.Register(() => _completion.TrySetCanceled(cancellationToken));
        }

        public Guid PredictionId { get; }

        public ModelInput Input { get; }

        public DateTimeOffset? Deadline { get; }

        public DateTimeOffset QueuedAt { get; }

        /// <summary>The span of the consume that queued it, for the batch's span to link to.</summary>
        public ActivityContext Trace { get; }

        /// <summary>When a pool thread took it into a batch.</summary>
        public DateTimeOffset TakenAt { get; set; }

        public Task<InferenceOutcome> Task => _completion.Task;

        public void Complete(double prediction, DateTimeOffset startedAt, DateTimeOffset completedAt, int batchSize)
        {
            _cancellation.Dispose();
            _completion.TrySetResult(new InferenceOutcome(prediction, QueuedAt, TakenAt, startedAt, completedAt, batchSize));
        }

        public void Fail(Exception exception)
        {
            _cancellation.Dispose();
            _completion.TrySetException(exception);
        }
    }
}
