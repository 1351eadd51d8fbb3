using MassTransit;
using Predictions.Messaging.Outages;
using Predictions.ServiceDefaults.Resilience;

namespace Predictions.Messaging.Stores;

/// <summary>
/// What consumers that write to a store do when the write fails. A SQLite file that is locked, unwritable, full or
/// gone, or a PostgreSQL server that is stopped, unreachable or refusing connections, is an outage
/// (<c>StoreOutages.IsStoreUnavailable</c>), which the consumer waits out (<see cref="OutageWait"/>) for up to
/// <c>Outages:MaxWait</c> per delivery and for as many deliveries as it lasts (<see cref="OutageReturn"/>). An outage
/// of a store is the store's as a whole (a file, a server), never one message's, so no message is failed for it.
/// Anything else is tried again after the pauses of <c>Retries:StoreWrites</c> and then goes to the error queue.
/// </summary>
public static class StoreRetry
{
    public static void UseStoreRetry(this IReceiveEndpointConfigurator endpoint, IServiceProvider services)
    {
        endpoint.UseOutageReturns();
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<OutageReturnRefusedException>();
            retry.Intervals(services.GetRetryPolicy(RetryPolicies.StoreWrites).Intervals);
        });
    }
}
