using MassTransit;
using Predictions.Messaging;
using Predictions.Messaging.Stores;

namespace Predictions.Worker.Audit;

public sealed class PredictionAuditConsumerDefinition : ConsumerDefinition<PredictionAuditConsumer>
{
    public PredictionAuditConsumerDefinition()
    {
        EndpointName = Topology.AuditQueue;

        ConcurrentMessageLimit = StoreBatch.InFlightLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PredictionAuditConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        consumerConfigurator.Options<BatchOptions>(StoreBatch.Configure);

        endpointConfigurator.UseStoreRetry(context);
    }
}
