using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Messaging;
using Predictions.Worker.CrashRecovery;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;
using Predictions.Worker.Pipeline;
using RabbitMQ.Client;

namespace Predictions.Worker;

/// <summary>
/// Two receive endpoints per served lane: its work queue, bound to <see cref="Topology.Lanes"/> by the lane's
/// <c>{name}.{version}</c> (the default lane's, <c>prediction-worker</c>, to the request exchanges as well), and its suspect
/// queue. Each lane holds <c>Worker:MaxInFlight</c> requests of its own, so a backed-up lane never takes another's.
/// </summary>
public static class LaneEndpoints
{
    public static void Configure(IBusRegistrationContext context, IRabbitMqBusFactoryConfigurator bus)
    {
        var lanes = context.GetRequiredService<ServedLanes>();
        var workQueue = context.GetRequiredService<IOptions<WorkQueueOptions>>().Value;
        var worker = context.GetRequiredService<IOptions<WorkerOptions>>().Value;
        var pool = context.GetRequiredService<InferencePool>();
        var everyEndpoint = context.GetConfigureReceiveEndpoints();

        foreach (var lane in lanes.All)
        {
            var maxInFlight = worker.MaxInFlightFor(pool.MaxConcurrency, pool.MaxBatchSizeOf(lane));
            bus.ReceiveEndpoint(lane.Queue, endpoint =>
            {
                everyEndpoint.Configure(lane.Queue, endpoint);

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
            });

            bus.ReceiveEndpoint(lane.SuspectQueue, endpoint =>
            {
                everyEndpoint.Configure(lane.SuspectQueue, endpoint);

                // Only moved and dead-lettered requests come here.
                endpoint.ConfigureConsumeTopology = false;
                Topology.ConfigureSuspectQueue(endpoint, workQueue);
                endpoint.PrefetchCount = 1;
                endpoint.BindDeadLetterQueue(Topology.PoisonQueue, Topology.PoisonQueue, queue => Topology.ConfigurePoisonQueue(queue, workQueue));
                endpoint.ConfigureConsumer<SuspectRequestConsumer>(context, consumer => consumer.ConcurrentMessageLimit = 1);
            });
        }
    }
}
