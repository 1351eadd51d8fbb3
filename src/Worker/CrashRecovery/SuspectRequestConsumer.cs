using MassTransit;
using Predictions.Contracts;
using Predictions.Worker.Pipeline;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// Computes a suspect request exactly as <see cref="PredictionRequestConsumer"/> does; only its endpoint
/// differs (<see cref="SuspectRequestConsumerDefinition"/>): one request at a time, a small delivery limit.
/// </summary>
[ExcludeFromConfigureEndpoints]
public sealed class SuspectRequestConsumer(PredictionRequestConsumer consumer) : IConsumer<PredictionRequest>
{
    public Task Consume(ConsumeContext<PredictionRequest> context) => consumer.Consume(context);
}
