using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Predictions.Worker.Inference;

/// <summary>Ready only while the inference pool's threads are running and take work.</summary>
public sealed class InferencePoolHealthCheck(InferencePool pool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(pool.IsRunning
            ? HealthCheckResult.Healthy($"{pool.Busy} of {pool.MaxConcurrency} threads busy, {pool.Queued} queued")
            : HealthCheckResult.Unhealthy("the inference pool is not running"));
}
