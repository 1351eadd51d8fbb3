using MassTransit;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Worker.Audit;

public sealed class PredictionAuditConsumerDefinition : ConsumerDefinition<PredictionAuditConsumer>
{
    public PredictionAuditConsumerDefinition()
    {
        EndpointName = Topology.AuditQueue;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PredictionAuditConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // A busy or briefly locked database file is worth waiting for.
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(100, 500, 2_000, 5_000));
    }
}
