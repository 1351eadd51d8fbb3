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

    /// <summary>Wakes everyone waiting for this prediction.</summary>
    public void Notify(Guid id)
    {
        Signal? signal;
        lock (_lock)
        {
            if (_signals.Remove(id, out signal) is false)
            {
                return;
            }
        }

        signal.Completion.TrySetResult();
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
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

        /// <summary>Completes when the outcome arrives, or when <paramref name="timeout"/> passes (then false).</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            try
            {
                await _signal.Completion.Task.WaitAsync(timeout, cancellationToken);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
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
