using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Predictions.ServiceDefaults.Health;

/// <summary>
/// Restarts a receive endpoint that counts as consuming but that the broker has stopped feeding: at two checks in a
/// row, <c>Health:StarvationCheckInterval</c> apart, its queue held ready messages while the endpoint had none in
/// flight and had received none since the previous check. After a node restart a broker can drop a consumer without
/// closing its channel; the client is never told, and would wait for deliveries that never come. Restarting the
/// endpoint opens a new channel and consumes again.
/// </summary>
public sealed class StarvedEndpointRestarter(
    ReceiveEndpointMonitor monitor,
    IQueueProbe probe,
    IOptions<EndpointHealthOptions> options,
    TimeProvider clock,
    ILogger<StarvedEndpointRestarter> logger) : BackgroundService
{
    private readonly Dictionary<string, int> _strikes = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StarvationCheckInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await CheckAsync(stoppingToken);
        }
    }

    /// <summary>One check of every endpoint that counts as consuming; restarts those starved at this check and the one before.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.StarvationCheckInterval;
        var now = clock.GetUtcNow();
        foreach (var (name, activity) in monitor.ConsumingEndpoints())
        {
            var idle = now - activity.LastDelivery;
            var ready = activity.InFlight > 0 || idle < interval ? null : await probe.ReadyMessagesAsync(name, cancellationToken);
            if (ready is not > 0)
            {
                _strikes.Remove(name);
                continue;
            }

            _strikes[name] = _strikes.GetValueOrDefault(name) + 1;
            if (_strikes[name] < 2)
            {
                continue;
            }

            _strikes.Remove(name);
            logger.LogWarning(
                "Receive endpoint {Endpoint} received nothing for {Idle:0} s while its queue held {Ready} ready messages: the broker no longer delivers to it. Restarting it",
                name, idle.TotalSeconds, ready);
            try
            {
                await activity.Endpoint.Stop(cancellationToken);
                activity.Endpoint.Start(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Receive endpoint {Endpoint} could not be restarted", name);
            }
        }
    }
}
