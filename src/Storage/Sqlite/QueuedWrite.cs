namespace Predictions.Storage.Sqlite;

/// <summary>
/// A write waiting for the <see cref="SqliteWriter"/>'s thread. Its caller may withdraw it until the moment
/// the thread starts it; after that it is seen through.
/// </summary>
internal sealed class QueuedWrite(Func<StoreWrite, Task<object?>> work, bool durable)
{
    private const int Waiting = 0, Started = 1, Withdrawn = 2;

    // Its caller and the writer thread race to move it out of Waiting: exactly one of them wins.
    private int _state = Waiting;

    public Func<StoreWrite, Task<object?>> Work { get; } = work;

    public bool Durable { get; } = durable;

    public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsWithdrawn => Volatile.Read(ref _state) == Withdrawn;

    /// <summary>Called by the writer thread just before it runs the work: false if the caller withdrew it first.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Waiting) == Waiting;

    public void TryWithdraw(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Withdrawn, Waiting) == Waiting)
        {
            Done.TrySetCanceled(cancellationToken);
        }
    }
}
