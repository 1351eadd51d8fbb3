using Microsoft.Extensions.Options;
using Predictions.ServiceDefaults.Resilience;

namespace Predictions.Messaging.Outages;

/// <summary>
/// Waits out an outage of what a consumer needs (a store, the metadata service): the message's try is made again,
/// pausing as <c>Retries:OutageWaits</c> says, while its error is an outage, for up to <c>Outages:MaxWait</c> after
/// the message was received. An outage is not the message's fault: none goes to an error queue for it. Meanwhile
/// every slot of the endpoint is busy waiting, so it takes nothing more and the rest wait in their queue. A message
/// whose outage outlasts the wait gets <see cref="OutageOutlastedException"/>, and its consumer gives it back to its
/// queue (<see cref="OutageReturn"/>). Waited out inside the consumer rather than by MassTransit's retries, so that a
/// message given back is neither a fault nor logged as one.
/// </summary>
public sealed class OutageWait(IOptions<OutageOptions> options, IOptionsMonitor<RetryPolicy> retries, TimeProvider clock)
{
    private readonly RetryPolicy _pauses = retries.GetRetryPolicy(RetryPolicies.OutageWaits);

    public TimeSpan MaxWait => options.Value.MaxWait;

    /// <summary>Runs <paramref name="attempt"/> until it succeeds, fails for another reason than an outage, or the wait is over.</summary>
    /// <exception cref="OutageOutlastedException">The outage still lasts <c>Outages:MaxWait</c> after <paramref name="receivedAt"/>.</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> attempt, Func<Exception, bool> isOutage, DateTimeOffset receivedAt, CancellationToken cancellationToken)
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

    /// <summary>
    /// Pauses before try <paramref name="retry"/> + 2 of a message received at <paramref name="receivedAt"/>, which
    /// <paramref name="outage"/> keeps failing; or, once the wait is over, throws <see cref="OutageOutlastedException"/>.
    /// </summary>
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
