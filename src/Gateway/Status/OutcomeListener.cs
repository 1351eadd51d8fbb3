using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Predictions.Gateway.Stores;
using Predictions.ServiceDefaults.Resilience;
using Predictions.Storage;

namespace Predictions.Gateway.Status;

/// <summary>
/// Wakes this gateway's long polls for outcomes another gateway stored: it listens on
/// <see cref="OutcomeNotifications.Channel"/> and hands each waiter its prediction's outcome, read back once
/// committed. A database no other host shares (SQLite) has nothing to hear, and the listener ends at once.
/// A notification sent while the connection was down is lost, so after every (re)connection the outcomes of
/// everyone waiting are looked up once.
/// </summary>
public sealed partial class OutcomeListener(
    [FromKeyedServices(ResultsDatabase.Name)] StoreDatabase database,
    PredictionStatusStore store,
    PredictionWaiters waiters,
    IOptionsMonitor<RetryPolicy> retries,
    ILogger<OutcomeListener> logger) : BackgroundService
{
    private readonly RetryPolicy _reconnects = retries.GetRetryPolicy(RetryPolicies.OutcomeListening);
    private int _retry;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var payloads = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var waking = WakeAsync(payloads.Reader, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Action<string> heard = payload => payloads.Writer.TryWrite(payload);
                if (!await database.ListenAsync(OutcomeNotifications.Channel, heard, () => Listening(payloads.Writer), stoppingToken))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or IOException)
            {
                var pause = _reconnects.Pause(_retry++);
                LogListenFailed(logger, database.Location, pause.TotalSeconds, ex.Message);
                await Task.Delay(pause, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        payloads.Writer.TryComplete();
        await waking;
    }

    private void Listening(ChannelWriter<string> payloads)
    {
        LogListening(logger, database.Location);
        _retry = 0;

        // Whatever was stored while nobody listened: everyone waiting looks once.
        payloads.TryWrite("");
    }

    private async Task WakeAsync(ChannelReader<string> payloads, CancellationToken stoppingToken)
    {
        await foreach (var payload in payloads.ReadAllAsync(CancellationToken.None))
        {
            var waiting = waiters.Waiting(payload.Length == 0 ? null : OutcomeNotifications.Read(payload));
            if (waiting.Count == 0)
            {
                continue;
            }

            try
            {
                waiters.Notify(await store.FindFinishedAsync(waiting, stoppingToken));
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or OperationCanceledException)
            {
                // The long polls look again on their own recheck (Gateway:LongPollRecheck).
                LogWakeFailed(logger, waiting.Count, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for outcomes other gateways store in {Location}")]
    private static partial void LogListening(ILogger logger, string location);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot listen for outcomes in {Location}; trying again in {Seconds} s: {Reason}")]
    private static partial void LogListenFailed(ILogger logger, string location, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not read the outcomes of {Count} waiting predictions; their long polls look again on their own: {Reason}")]
    private static partial void LogWakeFailed(ILogger logger, int count, string reason);
}
