using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Predictions.Gateway.Publishing;

/// <summary>
/// Readiness: a gateway that cannot publish submissions takes no traffic. Healthy while the publisher has a channel, or
/// opens one now; unhealthy with the broker's reply while it refuses the gateway's declaration or its publishes
/// (asked again at most once a <see cref="PublisherReadiness.RecheckInterval"/>, so that the gateway turns ready again
/// by itself once an operator fixed it, with no request to try it), and with the reason while the broker is out of reach.
/// </summary>
public sealed class PublisherHealthCheck(SubmissionPublisher publisher, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await publisher.EnsureChannelAsync(cancellationToken);
            return HealthCheckResult.Healthy("the broker takes this gateway's submissions");
        }
        catch (PublisherRefusedException refused)
        {
            return HealthCheckResult.Unhealthy(
                $"the broker refuses this gateway's submissions, for {(clock.GetUtcNow() - refused.Since).TotalSeconds:0} s "
                + $"(configuration or permission, not an outage): {refused.Refusal.ReplyText}");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"no channel to publish submissions on: {ex.Message}");
        }
    }
}
