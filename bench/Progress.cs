namespace Predictions.Bench;

/// <summary>Calls a report every period until disposed: the bench's live progress line.</summary>
public sealed class Progress : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private Progress(TimeSpan period, Action report)
    {
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    report();
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public static Progress Every(TimeSpan period, Action report) => new(period, report);

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
