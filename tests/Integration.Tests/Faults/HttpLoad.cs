using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Faults;

/// <summary>
/// Clients submitting over HTTP while a fault is injected, each waiting for its answer and a short pause
/// before sending the next (so the load lasts through the fault instead of flooding the queue), until
/// <see cref="StopAsync"/> or a bounded number of submissions. Every answer goes to the ledger. Given a count of
/// finished predictions, the clients also hold off while too many accepted ones are unfinished: the backlog then
/// stays bounded however long the test's steps take, and so does the load's bound.
/// </summary>
public sealed class HttpLoad : IAsyncDisposable
{
    private readonly PredictionSystem _system;
    private readonly Ledger _ledger;
    private readonly int _maxSubmissions;
    private readonly TimeSpan _pause;
    private readonly bool _timeoutsExpected;
    private readonly GatewayBalancer? _gateways;
    private readonly Task _backlogWatch;
    private readonly Func<long, string?> _model;
    // Set while more than the allowed backlog of accepted submissions is unfinished.
    private volatile bool _holding;
    /// <summary>How long a client backs off after a 503 or a broken connection before its next submission.</summary>
    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _clients;
    private int _submitted;

    private HttpLoad(
        PredictionSystem system,
        Ledger ledger,
        int clients,
        int maxSubmissions,
        TimeSpan pause,
        bool timeoutsExpected,
        GatewayBalancer? gateways,
        Backlog? backlog,
        Func<long, string?> model)
    {
        _gateways = gateways;
        _model = model;
        _pause = pause;
        _timeoutsExpected = timeoutsExpected;
        _system = system;
        _ledger = ledger;
        _maxSubmissions = maxSubmissions;
        _backlogWatch = backlog is null ? Task.CompletedTask : Task.Run(() => WatchBacklogAsync(backlog));
        _clients = Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(() => RunClientAsync(client))));
    }

    /// <summary>
    /// At most <paramref name="Max"/> accepted submissions unfinished, as counted by <paramref name="Finished"/> (the
    /// predictions the system has finished, e.g. the worker's outcome counter).
    /// </summary>
    public sealed record Backlog(int Max, Func<Task<double>> Finished);

    /// <summary>
    /// Starts the clients. <paramref name="timeoutsExpected"/>: the test kills the gateway, so a request may
    /// hang until the client gives up; anywhere else the gateway answers every request, if only with a 503,
    /// and a client timeout fails the test. <paramref name="gateways"/>: the clients spread over several gateways
    /// (else they use the last one started), and a broken connection is recorded as uncertain "… from gateway N".
    /// <paramref name="backlog"/>: the clients hold off while more accepted submissions than it allows are unfinished.
    /// <paramref name="model"/>: the model each submission names, by its sequence number (none by default).
    /// </summary>
    public static HttpLoad Start(
        PredictionSystem system,
        Ledger ledger,
        int clients = 4,
        int maxSubmissions = 2_000,
        TimeSpan? pause = null,
        bool timeoutsExpected = false,
        GatewayBalancer? gateways = null,
        Backlog? backlog = null,
        Func<long, string?>? model = null) =>
        new(system, ledger, clients, maxSubmissions, pause ?? TimeSpan.FromMilliseconds(40), timeoutsExpected, gateways, backlog,
            model ?? (_ => null));

    /// <summary>
    /// Waits until the ledger holds at least <paramref name="accepted"/> accepted submissions; fails at once if
    /// the clients finished short of them.
    /// </summary>
    public async Task WaitForAcceptedAsync(int accepted, TimeSpan timeout)
    {
        await Eventually.HoldsAsync(
            () => Task.FromResult(_ledger.Accepted >= accepted || _clients.IsCompleted),
            timeout,
            () => $"only {_ledger.Accepted} submissions were accepted.\n{_system.Describe()}");
        Assert.True(
            _ledger.Accepted >= accepted, $"The load ran dry before {accepted} submissions were accepted ({_ledger.Describe()}): raise its bound.");
    }

    /// <summary>
    /// Fails the test if the clients are done: call it right before injecting a fault, which load that ran dry
    /// cannot show.
    /// </summary>
    public void AssertRunning(string step) =>
        Assert.False(
            _clients.IsCompleted, $"The load had finished ({Math.Min(_submitted, _maxSubmissions)} submissions) before {step}: raise its bound.");

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _clients;
        await _backlogWatch;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    // The gateway's problem type for a request the broker refused while the work queue had room.
    private const string BrokerRefused = "tag:predictions.gateway,2026:broker-refused";

    private async Task WatchBacklogAsync(Backlog backlog)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _holding = _ledger.Accepted - await backlog.Finished() > backlog.Max;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The count cannot be read just now (a fault under way): keep holding or not as before.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        }
    }

    private async Task RunClientAsync(int client)
    {
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _submitted) <= _maxSubmissions)
        {
            while (_holding && !_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            }

            if (_stop.IsCancellationRequested)
            {
                break;
            }

            var sequence = _ledger.NextSequence();
            var gateway = _gateways?.Pick(client);
            var http = gateway is { } g ? _gateways![g] : _system.Http;
            try
            {
                using var response = await http.PostAsJsonAsync(
                    "/predictions", new { itemId = 1 + (sequence % 1000), featureValue = (double)sequence, model = _model(sequence) });
                var body = await response.Content.ReadAsStringAsync();
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Accepted:
                        _ledger.RecordAccepted(sequence, JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!);
                        await Task.Delay(_pause);
                        break;
                    case HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter is not null:
                        _ledger.RecordUncertain(sequence, "503");
                        if (body.Contains(BrokerRefused, StringComparison.Ordinal))
                        {
                            _ledger.RecordRefused(sequence);
                        }

                        await Task.Delay(Backoff);
                        break;
                    default:
                        _ledger.RecordUnexpected($"#{sequence}: {(int)response.StatusCode} {body}");
                        break;
                }
            }
            catch (TaskCanceledException ex) when (!_timeoutsExpected)
            {
                _ledger.RecordUnexpected($"#{sequence}: no answer within {http.Timeout.TotalSeconds} s ({ex.Message})");
                _ledger.RecordUncertain(sequence, "timeout");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ObjectDisposedException or IOException)
            {
                // The gateway went away mid-request: the broker may or may not have the message.
                _ledger.RecordUncertain(sequence, gateway is { } down ? $"{ex.GetType().Name} from gateway {down}" : ex.GetType().Name);
                if (gateway is { } passedOver)
                {
                    _gateways!.PassOverFor(passedOver);
                }

                await Task.Delay(Backoff);
            }
        }
    }
}
