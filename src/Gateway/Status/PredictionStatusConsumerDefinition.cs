using MassTransit;
using Predictions.Messaging;
using Predictions.Messaging.Stores;

namespace Predictions.Gateway.Status;

public sealed class PredictionStatusConsumerDefinition : ConsumerDefinition<PredictionStatusConsumer>
{
    public PredictionStatusConsumerDefinition()
    {
        EndpointName = Topology.StatusQueue;

        ConcurrentMessageLimit = StoreBatch.InFlightLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PredictionStatusConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        consumerConfigurator.Options<BatchOptions>(StoreBatch.Configure);
        endpointConfigurator.UseStoreRetry(context);
    }
}
