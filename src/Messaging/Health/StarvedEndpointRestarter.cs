using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Predictions.Messaging.Health;

/// <summary>
/// Restarts an endpoint the broker stopped feeding (ready messages, none in flight, none received, at two checks in
/// a row): after a node restart a broker can drop a consumer without closing its channel or telling the client.
/// </summary>
public sealed class StarvedEndpointRestarter(
    ReceiveEndpointMonitor monitor,
    IQueueProbe probe,
    IOptions<EndpointHealthOptions> options,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<StarvedEndpointRestarter> logger) : BackgroundService
{
    private readonly Dictionary<string, int> _strikes = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StarvationCheckInterval, clock);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                await CheckAsync(stopping.Token);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>One check of every endpoint that counts as consuming; restarts those starved at this check and the one before.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping fires before any hosted service stops, the bus included: from then on, hands off.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var stopping = linked.Token;
        try
        {
            foreach (var (name, activity) in monitor.ConsumingEndpoints())
            {
                if (await StarvedBacklogAsync(name, activity, stopping) is not { } ready || stopping.IsCancellationRequested)
                {
                    continue;
                }

                logger.LogWarning(
                    "Receive endpoint {Endpoint} received nothing for {Idle:0} s while its queue held {Ready} ready messages: "
                    + "the broker no longer delivers to it. Restarting it",
                    name, (clock.GetUtcNow() - activity.LastDelivery).TotalSeconds, ready);
                await RestartAsync(name, activity, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>The queue's ready messages when the endpoint is starved at this check and was at the one before; else null.</summary>
    private async Task<uint?> StarvedBacklogAsync(string name, EndpointActivity activity, CancellationToken stopping)
    {
        var lastDelivery = activity.LastDelivery;
        var idle = clock.GetUtcNow() - lastDelivery;
        var ready = activity.InFlight > 0 || idle < options.Value.StarvationCheckInterval ? null : await probe.ReadyMessagesAsync(name, stopping);

        // The probe can take seconds: a delivery meanwhile shows the broker still feeds the endpoint.
        if (ready is not > 0 || activity.InFlight > 0 || activity.LastDelivery != lastDelivery)
        {
            _strikes.Remove(name);
            return null;
        }

        _strikes[name] = _strikes.GetValueOrDefault(name) + 1;
        if (_strikes[name] < 2)
        {
            return null;
        }

        _strikes.Remove(name);
        return ready;
    }

    private async Task RestartAsync(string name, EndpointActivity activity, CancellationToken stopping)
    {
        try
        {
            await activity.Endpoint.Stop(stopping);

            // The host began to stop while this one stopped: the bus is stopping it too, so it stays stopped.
            if (stopping.IsCancellationRequested)
            {
                logger.LogInformation("Receive endpoint {Endpoint} stays stopped: the host is stopping", name);
                return;
            }

            activity.Endpoint.Start(stopping);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            logger.LogError(ex, "Receive endpoint {Endpoint} could not be restarted", name);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Receive endpoint {Endpoint} was not restarted: the host is stopping", name);
        }
    }
}
