using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Messaging;
using Predictions.Worker.Pipeline;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// <c>prediction-worker_poisoned</c>: bound to the poison queue's exchange, so each dead-lettered request
/// arrives both there (kept) and here (answered).
/// </summary>
public sealed class PoisonedRequestConsumerDefinition : ConsumerDefinition<PoisonedRequestConsumer>
{
    public PoisonedRequestConsumerDefinition()
    {
        EndpointName = Topology.PoisonedQueue;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PoisonedRequestConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.ConfigureConsumeTopology = false;
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            Topology.ConfigurePoisonedQueue(rabbit, context.GetRequiredService<IOptions<WorkQueueOptions>>().Value);
            rabbit.Bind(Topology.PoisonQueue);
        }

        PredictionRequestConsumerDefinition.ConfigureRequests(endpointConfigurator, context);
    }
}
