using MassTransit;

namespace Predictions.ServiceDefaults.Messaging;

/// <summary>
/// Retries for a consumer whose dependency (a store, a metadata service) can be down for a while. An outage
/// is not the message's fault: its messages wait, unacknowledged, and are tried again with back-off up to
/// <see cref="MaxInterval"/> for as long as it lasts; none goes to the error queue for it. Every slot of the
/// endpoint is then busy waiting, so it takes nothing more: the rest stay in their queue. Any other error
/// gets the endpoint's own few retries, then the error queue.
/// </summary>
public static class OutageRetry
{
    /// <summary>The longest wait between two tries during an outage.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(10);

    public static void UseOutageRetry(this IReceiveEndpointConfigurator endpoint, Func<Exception, bool> isOutage, Action<IRetryConfigurator> otherErrors)
    {
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<Exception>(isOutage);
            otherErrors(retry);
        });
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(isOutage);
            retry.Exponential(int.MaxValue, TimeSpan.FromMilliseconds(100), MaxInterval, TimeSpan.FromMilliseconds(200));
        });
    }
}
