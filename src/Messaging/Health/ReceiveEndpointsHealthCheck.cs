using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Predictions.Messaging.Health;

/// <summary>
/// Readiness: healthy only while every receive endpoint consumes. Liveness: unhealthy once one has not
/// consumed for longer than <c>Health:MaxEndpointDowntime</c>, so an orchestrator restarts a host that does
/// not come back by itself.
/// </summary>
public sealed class ReceiveEndpointsHealthCheck(
    IBusControl bus,
    ReceiveEndpointMonitor monitor,
    IOptions<EndpointHealthOptions> options,
    TimeProvider clock,
    ReceiveEndpointsHealthCheck.Probe probe) : IHealthCheck
{
    public enum Probe
    {
        Readiness,
        Liveness,
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var known = bus.CheckHealth().Endpoints.Values.Select(endpoint => endpoint.InputAddress);
        var down = monitor.Snapshot(known)
            .Where(endpoint => !endpoint.Consuming)
            .Where(endpoint => probe == Probe.Readiness || now - endpoint.Since > options.Value.MaxEndpointDowntime)
            .Select(endpoint => $"{endpoint.Name} not consuming for {(now - endpoint.Since).TotalSeconds:0} s ({endpoint.Reason})")
            .ToList();

        return Task.FromResult(down.Count == 0
            ? HealthCheckResult.Healthy("every receive endpoint consumes")
            : HealthCheckResult.Unhealthy(string.Join("; ", down)));
    }
}
