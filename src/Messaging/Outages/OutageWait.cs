using Microsoft.Extensions.Options;
using Predictions.ServiceDefaults.Resilience;

namespace Predictions.Messaging.Outages;

/// <summary>
/// Waits out an outage of what a consumer needs for up to <c>Outages:MaxWait</c> per delivery, pausing as
/// <c>Retries:OutageWaits</c> says. Inside the consumer rather than in MassTransit's retries, so a message given back
/// after it is not a fault.
/// </summary>
public sealed class OutageWait(IOptions<OutageOptions> options, IOptionsMonitor<RetryPolicy> retries, TimeProvider clock)
{
    private readonly RetryPolicy _pauses = retries.GetRetryPolicy(RetryPolicies.OutageWaits);

    public TimeSpan MaxWait => options.Value.MaxWait;

    /// <summary>Runs <paramref name="attempt"/> until it succeeds, fails for another reason than an outage, or the wait is over.</summary>
    /// <exception cref="OutageOutlastedException">The outage still lasts <c>Outages:MaxWait</c> after <paramref name="receivedAt"/>.</exception>
    public async Task<T> RunAsync<T>(
        Func<CancellationToken, Task<T>> attempt, Func<Exception, bool> isOutage, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await attempt(cancellationToken);
            }
            catch (Exception ex) when (isOutage(ex) && !cancellationToken.IsCancellationRequested)
            {
                await PauseAsync(retry, receivedAt, ex, cancellationToken);
            }
        }
    }

    /// <summary>Pauses before the next try, or throws <see cref="OutageOutlastedException"/> once the wait is over.</summary>
    public Task PauseAsync(int retry, DateTimeOffset receivedAt, Exception outage, CancellationToken cancellationToken)
    {
        var waited = clock.GetUtcNow() - receivedAt;
        if (waited >= MaxWait)
        {
            throw new OutageOutlastedException(waited, outage);
        }

        var pause = _pauses.Pause(retry);
        return Task.Delay(pause < MaxWait - waited ? pause : MaxWait - waited, clock, cancellationToken);
    }
}
