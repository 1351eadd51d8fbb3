using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Messaging;
using Predictions.Messaging.Rollouts;
using Predictions.Worker.CrashRecovery;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;
using Predictions.Worker.Pipeline;
using Predictions.Worker.Rollouts;
using RabbitMQ.Client;

namespace Predictions.Worker;

/// <summary>
/// Two receive endpoints per served lane: its work queue, bound to <see cref="Topology.Lanes"/> by the lane's
/// <c>{name}.{version}</c> (the default lane's, <c>prediction-worker</c>, to the request exchanges as well), and its suspect
/// queue. Each lane holds <c>Worker:MaxInFlight</c> requests of its own, so a backed-up lane never takes another's. The
/// lanes served from the start are configured with the bus; those the rollout adds later are connected to it running
/// (<see cref="ConnectAsync"/>). Besides, the worker's own queue on <see cref="Topology.Rollouts"/>.
/// </summary>
public static class LaneEndpoints
{
    public static void Configure(IBusRegistrationContext context, IRabbitMqBusFactoryConfigurator bus)
    {
        var lanes = context.GetRequiredService<ServedLanes>();
        var everyEndpoint = context.GetConfigureReceiveEndpoints();
        foreach (var lane in lanes.All)
        {
            bus.ReceiveEndpoint(lane.Queue, endpoint =>
            {
                everyEndpoint.Configure(lane.Queue, endpoint);
                ConfigureWork(context, endpoint, lane);
            });
            bus.ReceiveEndpoint(lane.SuspectQueue, endpoint =>
            {
                everyEndpoint.Configure(lane.SuspectQueue, endpoint);
                ConfigureSuspect(context, endpoint);
            });
        }

        // With a catalog, the worker follows the rollout the gateways announce.
        if (context.GetService<RolloutFollower>() is not null)
        {
            bus.ReceiveOnHostQueue<RolloutAnnouncedConsumer>(context, Topology.Rollouts);
        }
    }

    /// <summary>Connects a lane the rollout added to the running bus; returns once both its endpoints consume.</summary>
    public static async Task ConnectAsync(IReceiveEndpointConnector connector, ServedLane lane, CancellationToken cancellationToken)
    {
        var work = connector.ConnectReceiveEndpoint(lane.Queue, (context, endpoint) => ConfigureWork(context, Rabbit(endpoint), lane));
        var suspect = connector.ConnectReceiveEndpoint(
            lane.SuspectQueue, (context, endpoint) => ConfigureSuspect(context, Rabbit(endpoint)));
        await work.Ready.WaitAsync(cancellationToken);
        await suspect.Ready.WaitAsync(cancellationToken);
    }

    /// <summary>The rollout's way to <see cref="ConnectAsync"/>, on the bus of the running worker.</summary>
    public sealed class Connector(IServiceProvider services) : ILaneConnector
    {
        public Task ConnectAsync(ServedLane lane, CancellationToken cancellationToken) =>
            LaneEndpoints.ConnectAsync(services.GetRequiredService<IReceiveEndpointConnector>(), lane, cancellationToken);
    }

    private static IRabbitMqReceiveEndpointConfigurator Rabbit(IReceiveEndpointConfigurator endpoint) =>
        endpoint as IRabbitMqReceiveEndpointConfigurator
        ?? throw new InvalidOperationException("Lanes are RabbitMQ queues: the bus must use RabbitMQ.");

    private static void ConfigureWork(IRegistrationContext context, IRabbitMqReceiveEndpointConfigurator endpoint, ServedLane lane)
    {
        var workQueue = context.GetRequiredService<IOptions<WorkQueueOptions>>().Value;
        var worker = context.GetRequiredService<IOptions<WorkerOptions>>().Value;
        var pool = context.GetRequiredService<InferencePool>();
        var maxInFlight = worker.MaxInFlightFor(pool.MaxConcurrency, pool.MaxBatchSizeOf(lane));

        // Requests naming no model come by the request exchanges to the default lane alone.
        endpoint.ConfigureConsumeTopology = lane.IsDefault;
        Topology.ConfigureWorkQueue(endpoint, workQueue);
        endpoint.PrefetchCount = maxInFlight;

        // Declared before consuming, so nothing the queue dead-letters is ever unroutable.
        endpoint.BindDeadLetterQueue(lane.SuspectQueue, lane.SuspectQueue, queue => Topology.ConfigureSuspectQueue(queue, workQueue));
        endpoint.Bind(Topology.Lanes, binding =>
        {
            binding.ExchangeType = ExchangeType.Direct;
            binding.RoutingKey = lane.RoutingKey;
        });

        // In the consumer's pipe, so the suspect filter placed after it makes a suspect wait for a slot too.
        endpoint.ConfigureConsumer<PredictionRequestConsumer>(context, consumer => consumer.ConcurrentMessageLimit = maxInFlight);
    }

    private static void ConfigureSuspect(IRegistrationContext context, IRabbitMqReceiveEndpointConfigurator endpoint)
    {
        var workQueue = context.GetRequiredService<IOptions<WorkQueueOptions>>().Value;

        // Only moved and dead-lettered requests come here.
        endpoint.ConfigureConsumeTopology = false;
        Topology.ConfigureSuspectQueue(endpoint, workQueue);
        endpoint.PrefetchCount = 1;
        endpoint.BindDeadLetterQueue(Topology.PoisonQueue, Topology.PoisonQueue, queue => Topology.ConfigurePoisonQueue(queue, workQueue));
        endpoint.ConfigureConsumer<SuspectRequestConsumer>(context, consumer => consumer.ConcurrentMessageLimit = 1);
    }
}
