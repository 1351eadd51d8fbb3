using System.Text.Json;
using MassTransit;
using MassTransit.Configuration;
using Predictions.Contracts;
using Predictions.Messaging.Outages;
using Predictions.Messaging.Requests;
using Predictions.ServiceDefaults.Resilience;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Pipeline;

/// <summary>
/// What a lane's endpoints accept and retry. The lanes' queues, prefetch and concurrency are set per lane by
/// <c>LaneEndpoints</c>, which is why the consumer is left out of MassTransit's own endpoint configuration.
/// </summary>
public sealed class PredictionRequestConsumerDefinition : ConsumerDefinition<PredictionRequestConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PredictionRequestConsumer> consumerConfigurator,
        IRegistrationContext context) => ConfigureRequests(endpointConfigurator, context);

    /// <summary>What every endpoint that computes requests shares: the formats it reads and what it retries.</summary>
    internal static void ConfigureRequests(IReceiveEndpointConfigurator endpointConfigurator, IRegistrationContext context)
    {
        // Both wire formats, checked alike: MassTransit's envelope from .NET publishers, plain JSON from everyone else.
        var metrics = context.GetRequiredService<WorkerMetrics>();
        endpointConfigurator.AddDeserializer(new EnvelopeRequestDeserializer.Factory(() => metrics.Outcome("rejected")));
        endpointConfigurator.AddDeserializer(new PlainJsonRequestDeserializer.Factory(() => metrics.Outcome("rejected")));

        // Outside the retries: what still fails after them is failed, with an outcome.
        endpointConfigurator.AddPipeSpecification(new FilterPipeSpecification<ConsumeContext<PredictionRequest>>(
            ActivatorUtilities.CreateInstance<RequestOutcomeFilter>(context)));

        // A metadata outage is waited out in the consumer (a deadline still ends a waiting request); other errors
        // are tried again in process (Retries:Requests), and a request that can never be computed goes to the error queue at once.
        var policy = context.GetRetryPolicy(RetryPolicies.Requests);
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Ignore<InvalidPredictionRequestException>();
            retry.Ignore<OutageReturnRefusedException>();
            retry.Ignore<JsonException>();
            retry.Ignore<System.Runtime.Serialization.SerializationException>();
            retry.Intervals(policy.Intervals);
        });
    }
}
