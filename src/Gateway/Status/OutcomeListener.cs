using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using Predictions.Gateway.Stores;
using Predictions.ServiceDefaults.Resilience;
using Predictions.Storage;

namespace Predictions.Gateway.Status;

/// <summary>
/// Wakes this gateway's long polls for outcomes another gateway stored: on PostgreSQL it listens on
/// <see cref="OutcomeNotifications.Channel"/> and hands each waiter its prediction's outcome, read back once
/// committed. On SQLite there is one host, and the gateway that stores an outcome wakes its own waiters.
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
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(15);
    private readonly RetryPolicy _reconnects = retries.GetRetryPolicy(RetryPolicies.OutcomeListening);
    private int _retry;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Provider != StoreProvider.Postgres)
        {
            return;
        }

        var payloads = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var waking = WakeAsync(payloads.Reader, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(payloads.Writer, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                var pause = _reconnects.Pause(_retry++);
                LogListenFailed(logger, database.Location, pause.TotalSeconds, ex.Message);
                await Task.Delay(pause, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        payloads.Writer.TryComplete();
        await waking;
    }

    private async Task ListenAsync(ChannelWriter<string> payloads, CancellationToken stoppingToken)
    {
        // A connection of its own for as long as it lives: LISTEN belongs to the session.
        await using var connection = (NpgsqlConnection)await database.OpenAsync(stoppingToken);
        connection.Notification += (_, notification) => payloads.TryWrite(notification.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {OutcomeNotifications.Channel};", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        LogListening(logger, database.Location);
        _retry = 0;

        // Whatever was stored while nobody listened: everyone waiting looks once.
        payloads.TryWrite("");
        while (true)
        {
            // Quiet for a while: a round trip proves the connection still stands, so a dead one is replaced.
            if (!await connection.WaitAsync(Idle, stoppingToken))
            {
                await using var ping = new NpgsqlCommand("SELECT 1;", connection);
                await ping.ExecuteScalarAsync(stoppingToken);
            }
        }
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
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or OperationCanceledException)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the outcomes of {Count} waiting predictions; their long polls look again on their own: {Reason}")]
    private static partial void LogWakeFailed(ILogger logger, int count, string reason);
}
