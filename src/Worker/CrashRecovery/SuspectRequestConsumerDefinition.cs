using MassTransit;
using Predictions.Worker.Pipeline;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// A lane's suspect queue (<c>prediction-worker_suspect</c> for the default one) accepts and retries what its work queue
/// does; <c>LaneEndpoints</c> gives it one request at a time per worker (prefetch 1), so a worker that dies
/// here returns only the request that killed it, and a small delivery limit before the poison queue.
/// </summary>
public sealed class SuspectRequestConsumerDefinition : ConsumerDefinition<SuspectRequestConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SuspectRequestConsumer> consumerConfigurator,
        IRegistrationContext context) => PredictionRequestConsumerDefinition.ConfigureRequests(endpointConfigurator, context);
}
