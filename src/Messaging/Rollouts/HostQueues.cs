using MassTransit;

namespace Predictions.Messaging.Rollouts;

/// <summary>The endpoint of a queue of one host's own (<see cref="Topology.HostQueue"/>) on one of the rollout's fanout exchanges.</summary>
public static class HostQueues
{
    /// <summary>This process, as host queues name it: host name, process id and a random part, as a restarted container may reuse both.</summary>
    public static string Host { get; } =
        $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// Consumes <typeparamref name="TConsumer"/> on this host's queue of <paramref name="exchange"/>: exclusive, deleted with the
    /// connection, bound to the exchange by the consumer's message type. Left out of the configuration every other endpoint
    /// gets: it is no quorum queue, and it carries no predictions.
    /// </summary>
    public static void ReceiveOnHostQueue<TConsumer>(this IRabbitMqBusFactoryConfigurator bus, IBusRegistrationContext context, string exchange)
        where TConsumer : class, IConsumer =>
        bus.ReceiveEndpoint(Topology.HostQueue(exchange, Host), endpoint =>
        {
            endpoint.Durable = false;
            endpoint.AutoDelete = true;
            endpoint.Exclusive = true;
            endpoint.PrefetchCount = 16;
            endpoint.PublishFaults = false;
            endpoint.ConfigureConsumer<TConsumer>(context);
        });
}
