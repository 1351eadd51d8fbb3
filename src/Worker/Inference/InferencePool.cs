using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Predictions.Worker.Inference;

/// <summary>
/// A fixed set of dedicated threads that run the model. Consumers await <see cref="PredictAsync"/>;
/// the blocking model call happens here, so however slow the model, the thread pool that serves
/// the broker connection and the awaited I/O is never starved, and no more than
/// <c>Inference:MaxConcurrency</c> inferences ever run at once. Each thread notes in the
/// <see cref="InferenceJournal"/> which prediction it is running, so a crash in the model can be traced.
/// </summary>
public sealed class InferencePool : IHostedService, IDisposable
{
    private readonly IPredictionModel _model;
    private readonly InferenceJournal _journal;
    private readonly TimeProvider _clock;
    private readonly ILogger<InferencePool> _logger;
    private readonly BlockingCollection<WorkItem> _queue = [];
    private readonly Thread[] _threads;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _busy;

    public InferencePool(IPredictionModel model, InferenceJournal journal, IOptions<InferenceOptions> options, TimeProvider clock, ILogger<InferencePool> logger)
    {
        _model = model;
        _journal = journal;
        _clock = clock;
        _logger = logger;
        _threads = new Thread[options.Value.MaxConcurrency];
        for (var i = 0; i < _threads.Length; i++)
        {
            var slot = i;
            _threads[i] = new Thread(() => Serve(slot)) { IsBackground = true, Name = $"inference-{i + 1}" };
        }
    }

    public int MaxConcurrency => _threads.Length;

    /// <summary>Threads running the model right now.</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Inferences waiting for a thread.</summary>
    public int Queued => _queue.Count;

    public bool IsRunning => Volatile.Read(ref _running) > 0 && !_queue.IsAddingCompleted;

    /// <summary>
    /// Queues one inference and completes when a pool thread has run it. With a deadline, a thread that
    /// picks the inference up after it has passed does not run the model: <see cref="DeadlinePassedException"/>.
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
            throw new InvalidOperationException("The inference pool is stopping and takes no more work.");
        }

        return item.Task;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var thread in _threads)
        {
            thread.Start();
        }

        _logger.LogInformation("Inference pool started with {Threads} threads", _threads.Length);
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

    private void Serve(int slot)
    {
        Interlocked.Increment(ref _running);
        try
        {
            foreach (var item in _queue.GetConsumingEnumerable())
            {
                Run(slot, item);
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

    private void Run(int slot, WorkItem item)
    {
        // The consumer gave up (shutdown, timeout): don't spend a thread on an answer nobody awaits.
        if (item.Task.IsCompleted)
        {
            return;
        }

        var startedAt = _clock.GetUtcNow();
        if (item.Deadline <= startedAt)
        {
            item.Fail(new DeadlinePassedException(item.Deadline.Value, item.QueuedAt));
            return;
        }

        Interlocked.Increment(ref _busy);
        _journal.Enter(slot, item.PredictionId);
        try
        {
            var prediction = _model.Predict([item.Input])[0];
            item.Complete(new InferenceOutcome(prediction, item.QueuedAt, startedAt, _clock.GetUtcNow()));
        }
        catch (Exception ex)
        {
            item.Fail(ex);
        }
        finally
        {
            _journal.Leave(slot);
            Interlocked.Decrement(ref _busy);
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
            _cancellation = cancellationToken.Register(() => _completion.TrySetCanceled(cancellationToken));
        }

        public Guid PredictionId { get; }

        public ModelInput Input { get; }

        public DateTimeOffset? Deadline { get; }

        public DateTimeOffset QueuedAt { get; }

        public Task<InferenceOutcome> Task => _completion.Task;

        public void Complete(InferenceOutcome outcome)
        {
            _cancellation.Dispose();
            _completion.TrySetResult(outcome);
        }

        public void Fail(Exception exception)
        {
            _cancellation.Dispose();
            _completion.TrySetException(exception);
        }
    }
}
