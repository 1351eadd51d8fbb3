using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Messaging;
using Predictions.Worker.Pipeline;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// <c>prediction-worker_suspect</c>: one request at a time per worker (prefetch 1), so a worker that dies
/// here returns only the request that killed it; after <c>WorkQueue:SuspectDeliveryLimit</c> more deliveries
/// it goes to <c>prediction-worker_poison</c> (<see cref="SuspectFilter"/>, and RabbitMQ where it counts returns).
/// </summary>
public sealed class SuspectRequestConsumerDefinition : ConsumerDefinition<SuspectRequestConsumer>
{
    private readonly WorkQueueOptions _workQueue;

    public SuspectRequestConsumerDefinition(IOptions<WorkQueueOptions> workQueue)
    {
        _workQueue = workQueue.Value;
        EndpointName = Topology.SuspectQueue;
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SuspectRequestConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Only moved and dead-lettered requests come here: not bound to the requests exchange.
        endpointConfigurator.ConfigureConsumeTopology = false;
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            Topology.ConfigureSuspectQueue(rabbit, _workQueue);
            rabbit.PrefetchCount = 1;
            rabbit.BindDeadLetterQueue(Topology.PoisonQueue, Topology.PoisonQueue, queue => Topology.ConfigurePoisonQueue(queue, _workQueue));
        }

        PredictionRequestConsumerDefinition.ConfigureRequests(endpointConfigurator, context);
    }
}
