using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Worker.Models;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Inference;

/// <summary>
/// Dedicated threads that run the blocking model call, so however slow the model, the thread pool serving the broker
/// connection and the awaited I/O is never starved.
/// </summary>
public sealed class InferencePool : IHostedService, IDisposable
{
    private readonly IPredictionModel _model;
    private readonly InferenceJournal _journal;
    private readonly WorkerMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<InferencePool> _logger;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxBatchDelay;
    private readonly BlockingCollection<WorkItem> _queue = [];
    private readonly Thread[] _threads;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _busy;
    private int _engaged;

    public InferencePool(
        IPredictionModel model,
        InferenceJournal journal,
        IOptions<InferenceOptions> options,
        WorkerMetrics metrics,
        TimeProvider clock,
        ILogger<InferencePool> logger)
    {
        var inference = options.Value;
        if (inference.MaxBatchSize > 1 && !model.SupportsBatching)
        {
            throw new InvalidOperationException(
                $"{InferenceOptions.Section}:MaxBatchSize is {inference.MaxBatchSize}, "
                + $"but the model '{model.Identity.Name}' takes one input per call: set {InferenceOptions.Section}:MaxBatchSize to 1.");
        }

        _model = model;
        _journal = journal;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        _maxBatchSize = inference.MaxBatchSize;
        _maxBatchDelay = inference.MaxBatchDelay;
        _threads = new Thread[inference.MaxConcurrency];
        for (var i = 0; i < _threads.Length; i++)
        {
            var thread = i;
            _threads[i] = new Thread(() => Serve(thread)) { IsBackground = true, Name = $"inference-{i + 1}" };
        }

        metrics.ObservePool(MaxConcurrency, () => Busy, () => Queued);
    }

    public int MaxConcurrency => _threads.Length;

    /// <summary>The model this pool runs.</summary>
    public ModelIdentity Model => _model.Identity;

    /// <summary>Threads running the model right now.</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Inferences waiting for a thread.</summary>
    public int Queued => _queue.Count;

    public bool IsRunning => Volatile.Read(ref _running) > 0 && !_queue.IsAddingCompleted;

    /// <summary>
    /// Queues one inference and completes when a pool thread has run it. With a deadline, the inference is
    /// not started once it has passed (<see cref="DeadlinePassedException"/>), and a thread gathering a batch
    /// stops waiting for more inputs <c>Inference:MaxBatchDelay</c> before it, so batching never makes it late.
    /// </summary>
    public Task<InferenceOutcome> PredictAsync(Guid predictionId, ModelInput input, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = new WorkItem(predictionId, input, deadline, _clock.GetUtcNow(), cancellationToken);
        try
        {
            _queue.Add(item, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            throw new InferencePoolStoppedException(cancellationToken);
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
            "Inference pool started with {Threads} threads running model {Model} {Version}, batches of up to {MaxBatchSize}",
            _threads.Length, _model.Identity.Name, _model.Identity.Version, _maxBatchSize);
        return Task.CompletedTask;
    }

    /// <summary>Takes no new work, lets the threads finish what is queued, and waits for them within the host's shutdown timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.CompleteAdding();
        if (Volatile.Read(ref _running) == 0)
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
        if (!_queue.IsAddingCompleted)
        {
            _queue.CompleteAdding();
        }
    }

    private void Serve(int thread)
    {
        Interlocked.Increment(ref _running);
        try
        {
            var batch = new List<WorkItem>(_maxBatchSize);
            foreach (var first in _queue.GetConsumingEnumerable())
            {
                Interlocked.Increment(ref _engaged);
                try
                {
                    Gather(first, batch);
                    Run(thread, batch);
                }
                finally
                {
                    batch.Clear();
                    Interlocked.Decrement(ref _engaged);
                }
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _running) == 0)
            {
                _stopped.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="first"/> and whatever else is waiting into the batch, then waits for more while it is
    /// not full and every other thread is busy: until <c>MaxBatchDelay</c> after its oldest input was queued, or
    /// <c>MaxBatchDelay</c> before the earliest deadline in it, whichever comes first. With <c>MaxBatchSize=1</c>
    /// it takes <paramref name="first"/> alone.
    /// </summary>
    private void Gather(WorkItem first, List<WorkItem> batch)
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
            if (batch.Count == 0 || batch.Count >= _maxBatchSize || Next(flushAt) is not { } next)
            {
                return;
            }

            item = next;
        }
    }

    /// <summary>The next waiting input, waiting for one until <paramref name="flushAt"/>; null if none came.</summary>
    private WorkItem? Next(DateTimeOffset flushAt)
    {
        if (_queue.TryTake(out var item))
        {
            return item;
        }

        // An idle thread would take the next input at once: waiting for it here would only delay this batch.
        if (Volatile.Read(ref _engaged) < _threads.Length)
        {
            return null;
        }

        var wait = flushAt - _clock.GetUtcNow();
        return wait > TimeSpan.Zero && _queue.TryTake(out item, wait) ? item : null;
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

    private void Run(int thread, List<WorkItem> batch)
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
            if (batch.Count == 1 || !TryRunBatch(thread, batch, startedAt))
            {
                foreach (var item in batch)
                {
                    RunAlone(thread, item);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _busy);
        }
    }

    /// <summary>One model call for the whole batch; false if it threw, so that each input is tried alone and only the one at fault fails.</summary>
    private bool TryRunBatch(int thread, List<WorkItem> batch, DateTimeOffset startedAt)
    {
        _journal.Enter(thread, [.. batch.Select(item => item.PredictionId)]);
        using var span = WorkerTracing.StartBatch(batch.ConvertAll(item => item.Trace), _model.Identity);
        try
        {
            var predictions = Predict(batch.ConvertAll(item => item.Input));
            var completedAt = _clock.GetUtcNow();
            _metrics.ModelCall(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Complete(predictions[i], startedAt, completedAt, batch.Count);
            }

            return true;
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "A batch of {Count} inputs failed in the model; computing each alone", batch.Count);
            return false;
        }
        finally
        {
            _journal.Leave(thread);
        }
    }

    private void RunAlone(int thread, WorkItem item)
    {
        var startedAt = _clock.GetUtcNow();
        _journal.Enter(thread, [item.PredictionId]);
        try
        {
            var prediction = Predict([item.Input])[0];
            _metrics.ModelCall(1);
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

    private IReadOnlyList<double> Predict(List<ModelInput> inputs)
    {
        var predictions = _model.Predict(inputs);
        return predictions.Count == inputs.Count
            ? predictions
            : throw new InvalidOperationException($"The model returned {predictions.Count} predictions for {inputs.Count} inputs.");
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

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
