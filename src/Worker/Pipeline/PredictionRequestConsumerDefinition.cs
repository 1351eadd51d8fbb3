using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.ServiceDefaults.Messaging;
using Predictions.Worker.Inference;

namespace Predictions.Worker.Pipeline;

/// <summary>The work queue, how many requests a worker takes at once, and how failures are retried.</summary>
public sealed class PredictionRequestConsumerDefinition : ConsumerDefinition<PredictionRequestConsumer>
{
    private readonly int _maxInFlight;

    public PredictionRequestConsumerDefinition(IOptions<WorkerOptions> worker, IOptions<InferenceOptions> inference)
    {
        _maxInFlight = worker.Value.MaxInFlightFor(inference.Value.MaxConcurrency);
        EndpointName = Topology.WorkQueue;
        ConcurrentMessageLimit = _maxInFlight;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PredictionRequestConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            Topology.ConfigureWorkQueue(rabbit);
            rabbit.PrefetchCount = _maxInFlight;
        }

        // Transient metadata errors get a few quick retries in process; what still fails goes to the error queue.
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(200, 1_000, 5_000));
    }
}
