using System.Diagnostics;
using Predictions.Integration.Tests.Faults;

namespace Predictions.Integration.Tests.Cluster;

/// <summary>
/// When clients were answered 503, seen by watching the ledger's count of them: the first and the last moment
/// it grew, to within the watch's interval, for the test's report.
/// </summary>
public sealed class UnavailableWindow : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _watch;
    private TimeSpan? _first;
    private TimeSpan? _last;

    private UnavailableWindow(Ledger ledger) => _watch = WatchAsync(ledger, ledger.UncertainBecause("503"));

    public static UnavailableWindow Watch(Ledger ledger) => new(ledger);

    /// <summary>The window relative to <paramref name="since"/>, a clock started about when the watch did.</summary>
    public string Describe(Stopwatch since)
    {
        var offset = _clock.Elapsed - since.Elapsed;
        return _first is { } first && _last is { } last
            ? $"from {(first - offset).TotalSeconds:0.0} s to {(last - offset).TotalSeconds:0.0} s after the kill "
                + $"({(last - first).TotalSeconds:0.0} s)"
            : "at no time";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watch;
        _stop.Dispose();
    }

    private async Task WatchAsync(Ledger ledger, int seen)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = ledger.UncertainBecause("503");
                if (now > seen)
                {
                    _first ??= _clock.Elapsed;
                    _last = _clock.Elapsed;
                    seen = now;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
