namespace Predictions.Gateway.Status;

/// <summary>
/// Lets long-polling requests sleep until a prediction's outcome arrives. A waiter is a task, not a
/// thread: thousands of waiting clients cost memory only.
/// </summary>
public sealed class PredictionWaiters
{
    private readonly Dictionary<Guid, Signal> _signals = [];
    private readonly Lock _lock = new();

    /// <summary>
    /// Starts listening for the prediction's outcome. Register before reading the store, so an outcome
    /// that lands in between is not missed; dispose when done waiting.
    /// </summary>
    public Registration Register(Guid id)
    {
        lock (_lock)
        {
            if (!_signals.TryGetValue(id, out var signal))
            {
                _signals[id] = signal = new Signal();
            }

            signal.Waiters++;
            return new Registration(this, id, signal);
        }
    }

    /// <summary>Wakes everyone waiting for these predictions, handing them the outcome.</summary>
    public void Notify(IEnumerable<PredictionRecord> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            Signal? signal;
            lock (_lock)
            {
                if (_signals.Remove(outcome.Id, out signal) is false)
                {
                    continue;
                }
            }

            signal.Completion.TrySetResult(outcome);
        }
    }

    /// <summary>Which of <paramref name="ids"/> someone here waits for; all of them when null.</summary>
    public IReadOnlyList<Guid> Waiting(IEnumerable<Guid>? ids = null)
    {
        lock (_lock)
        {
            return ids is null ? [.. _signals.Keys] : [.. ids.Where(_signals.ContainsKey)];
        }
    }

    private void Release(Guid id, Signal signal)
    {
        lock (_lock)
        {
            if (--signal.Waiters == 0 && _signals.TryGetValue(id, out var current) && current == signal)
            {
                _signals.Remove(id);
            }
        }
    }

    internal sealed class Signal
    {
        public TaskCompletionSource<PredictionRecord> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Waiters { get; set; }
    }

    public sealed class Registration : IDisposable
    {
        private readonly PredictionWaiters _owner;
        private readonly Guid _id;
        private readonly Signal _signal;
        private int _disposed;

        internal Registration(PredictionWaiters owner, Guid id, Signal signal)
        {
            _owner = owner;
            _id = id;
            _signal = signal;
        }

        /// <summary>The outcome once it arrives, or null when <paramref name="timeout"/> passes first.</summary>
        public async Task<PredictionRecord?> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            try
            {
                return await _signal.Completion.Task.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Release(_id, _signal);
            }
        }
    }
}
