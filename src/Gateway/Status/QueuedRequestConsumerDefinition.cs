using MassTransit;
using Predictions.Messaging;
using Predictions.Messaging.Requests;
using Predictions.Messaging.Stores;
using Predictions.ServiceDefaults.Resilience;

namespace Predictions.Gateway.Status;

public sealed class QueuedRequestConsumerDefinition : ConsumerDefinition<QueuedRequestConsumer>
{
    public QueuedRequestConsumerDefinition()
    {
        EndpointName = Topology.StatusRequestsQueue;
        ConcurrentMessageLimit = StoreBatch.InFlightLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<QueuedRequestConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // The gateway publishes its own requests elsewhere (Topology.Submissions): this copy is of the direct publishers' door alone.
        endpointConfigurator.ConfigureConsumeTopology = false;
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.Bind(Topology.PredictionRequests);
        }

        endpointConfigurator.AddDeserializer(new EnvelopeRequestDeserializer.Factory());
        endpointConfigurator.AddDeserializer(new PlainJsonRequestDeserializer.Factory());
        consumerConfigurator.Options<BatchOptions>(StoreBatch.Configure);

        // Bad requests are the worker's to reject (to its error queue, with the reason); the gateway's copy
        // is dropped, and the worst a lost copy costs is a 404 until the outcome arrives. The filter comes
        // first, so an unreadable request is one quiet line rather than an R-FAULT.
        endpointConfigurator.ConfigureError(error =>
            error.UseFilter(new UnreadableRequestFilter(context.GetRequiredService<ILogger<QueuedRequestConsumer>>())));
        endpointConfigurator.DiscardFaultedMessages();
        endpointConfigurator.DiscardSkippedMessages();
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(context.GetRetryPolicy(RetryPolicies.QueuedRecords).Intervals));
    }
}
