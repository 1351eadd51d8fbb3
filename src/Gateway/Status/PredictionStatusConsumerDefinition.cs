using MassTransit;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Gateway.Status;

public sealed class PredictionStatusConsumerDefinition : ConsumerDefinition<PredictionStatusConsumer>
{
    public PredictionStatusConsumerDefinition()
    {
        EndpointName = Topology.StatusQueue;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PredictionStatusConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(100, 500, 2_000, 5_000));
    }
}
