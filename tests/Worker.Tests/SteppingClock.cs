using Microsoft.Extensions.Time.Testing;

namespace Predictions.Worker.Tests;

/// <summary>
/// A fake clock that knows whether anything waits on one of its timers, so a test moves time on only once the code
/// under test has begun to wait: a step taken before the wait began would pass it by.
/// </summary>
public sealed class SteppingClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    private int _pending;

    /// <summary>Timers made and neither fired nor disposed yet.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Counted once it is set on the fake clock: a step taken between the two would pass it by.
        var timer = new CountedTimer(this);
        timer.Inner = base.CreateTimer(_ => timer.Fire(callback, state), null, dueTime, period);
        timer.Start();
        return timer;
    }

    /// <summary>Waits until something waits on a timer, then moves time on by <paramref name="step"/>.</summary>
    public async Task StepWhenWaitingAsync(TimeSpan step)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (Pending == 0)
        {
            await Task.Delay(5, deadline.Token);
        }

        Advance(step);
    }

    /// <summary>Moves time on by <paramref name="step"/> whenever something waits on a timer, until <paramref name="done"/>.</summary>
    public async Task StepUntilAsync(Func<bool> done, TimeSpan step)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!done())
        {
            if (Pending > 0)
            {
                Advance(step);
            }

            await Task.Delay(5, deadline.Token);
        }
    }

    /// <summary>A one-shot timer that counts as pending until it fires or is disposed.</summary>
    private sealed class CountedTimer : ITimer
    {
        private readonly SteppingClock _clock;
        private int _done;

        public CountedTimer(SteppingClock clock) => _clock = clock;

        public ITimer Inner { get; set; } = null!;

        public void Start() => Interlocked.Increment(ref _clock._pending);

        public void Fire(TimerCallback callback, object? state)
        {
            Done();
            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => Inner.Change(dueTime, period);

        public void Dispose()
        {
            Done();
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Done();
            return Inner.DisposeAsync();
        }

        private void Done()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref _clock._pending);
            }
        }
    }
}
