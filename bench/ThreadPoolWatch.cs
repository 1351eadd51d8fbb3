namespace Predictions.Bench;

/// <summary>
/// Scrapes each host's .NET runtime metrics once a second during the run, keeping the highest thread-pool
/// queue length and thread count: a queue that grows while threads are added is thread-pool starvation.
/// </summary>
public sealed class ThreadPoolWatch : IDisposable
{
    private readonly Dictionary<string, MetricsScraper?> _hosts;
    private readonly Dictionary<string, (double? Queue, double? Threads)> _peaks = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public ThreadPoolWatch(Dictionary<string, MetricsScraper?> hosts)
    {
        _hosts = hosts;
        _sampling = Task.Run(SampleAsync);
    }

    public IReadOnlyDictionary<string, Report.ThreadPoolPeak> Peaks()
    {
        lock (_lock)
        {
            return _peaks.ToDictionary(p => p.Key, p => new Report.ThreadPoolPeak(p.Value.Queue, p.Value.Threads));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sampling.Wait(TimeSpan.FromSeconds(15));
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            foreach (var (host, scraper) in _hosts)
            {
                if (scraper is null)
                {
                    continue;
                }

                try
                {
                    var samples = await scraper.ScrapeAsync();
                    var queue = MetricsScraper.Value(samples, "dotnet_thread_pool_queue_length");
                    var threads = MetricsScraper.Value(samples, "dotnet_thread_pool_thread_count");
                    lock (_lock)
                    {
                        var peak = _peaks.GetValueOrDefault(host);
                        _peaks[host] = (Max(peak.Queue, queue), Max(peak.Threads, threads));
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }
            }
        }
        while (await WaitAsync(timer));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
