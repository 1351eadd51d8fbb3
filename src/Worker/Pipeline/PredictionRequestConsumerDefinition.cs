using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.ServiceDefaults.Messaging;
using Predictions.Worker.Inference;
using Predictions.Worker.Metadata;
using Predictions.Worker.Suspects;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Pipeline;

/// <summary>The work queue, what it accepts, how many requests a worker takes at once, and what is retried.</summary>
public sealed class PredictionRequestConsumerDefinition : ConsumerDefinition<PredictionRequestConsumer>
{
    /// <summary>The longest wait between two tries of a request during a metadata outage.</summary>
    public static readonly TimeSpan MetadataOutageMaxInterval = TimeSpan.FromSeconds(10);

    private readonly int _maxInFlight;
    private readonly WorkQueueOptions _workQueue;

    public PredictionRequestConsumerDefinition(IOptions<WorkerOptions> worker, IOptions<InferenceOptions> inference, IOptions<WorkQueueOptions> workQueue)
    {
        _workQueue = workQueue.Value;
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
            Topology.ConfigureWorkQueue(rabbit, _workQueue);
            rabbit.PrefetchCount = _maxInFlight;

            // Declared before consuming, so nothing the queue dead-letters is ever unroutable.
            rabbit.BindDeadLetterQueue(Topology.SuspectQueue, Topology.SuspectQueue, queue => Topology.ConfigureSuspectQueue(queue, _workQueue));
        }

        ConfigureRequests(endpointConfigurator, context);

        // A request that was in the model when the last worker died is computed alone, elsewhere.
        consumerConfigurator.Message<PredictionRequest>(message => message.UseFilter(context.GetRequiredService<SuspectFilter>()));
    }

    /// <summary>What every endpoint that computes requests shares: the formats it reads and what it retries.</summary>
    internal static void ConfigureRequests(IReceiveEndpointConfigurator endpointConfigurator, IRegistrationContext context)
    {
        // Both doors: MassTransit's envelope from .NET publishers, checked plain JSON from everyone else.
        var metrics = context.GetRequiredService<WorkerMetrics>();
        endpointConfigurator.AddDeserializer(new PlainJsonRequestDeserializer.Factory(() => metrics.Outcome("rejected")));

        // Unexpected errors get a few quick retries in process; a request that can never be computed goes
        // to the error queue at once.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Ignore<InvalidPredictionRequestException>();
            retry.Ignore<JsonException>();
            retry.Ignore<System.Runtime.Serialization.SerializationException>();
            retry.Ignore<MetadataUnavailableException>();
            retry.Intervals(200, 1_000, 5_000);
        });

        // A metadata outage is not the request's fault: the requests in hand wait and try again, backing off,
        // for as long as it lasts (a deadline still ends them), and none is failed or error-queued for it.
        // Every slot is then busy waiting, so the worker takes no more: consumption pauses by itself.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<MetadataUnavailableException>();
            retry.Exponential(int.MaxValue, TimeSpan.FromMilliseconds(200), MetadataOutageMaxInterval, TimeSpan.FromMilliseconds(500));
        });
    }
}
