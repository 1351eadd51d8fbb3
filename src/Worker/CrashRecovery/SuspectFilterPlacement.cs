using MassTransit;
using Predictions.Contracts;
using Predictions.Worker.Lanes;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// Puts the <see cref="SuspectFilter"/> on every lane's work queue and suspect queue, in their request consumers' own
/// pipes: after the endpoint's retries and the consumer's concurrency limit, just before the consumer runs, so a
/// suspect waits for a slot like any request and a failed move is retried like a failed prediction. MassTransit calls
/// this for each endpoint before it adds the endpoint's consumers.
/// </summary>
public sealed class SuspectFilterPlacement(SuspectFilter filter, ServedLanes lanes) : IConfigureReceiveEndpoint
{
    public void Configure(string name, IReceiveEndpointConfigurator configurator)
    {
        if (lanes.IsWorkQueue(name) || lanes.IsSuspectQueue(name))
        {
            configurator.ConnectConsumerConfigurationObserver(new RequestConsumers(filter));
        }
    }

    /// <summary>Told of each consumer and message type on the endpoint before its pipes are built.</summary>
    private sealed class RequestConsumers(SuspectFilter filter) : IConsumerConfigurationObserver
    {
        // MassTransit may report a consumer more than once; the filter goes in once.
        private readonly HashSet<object> _configured = new(ReferenceEqualityComparer.Instance);

        public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
            where TConsumer : class
        {
        }

        public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
            where TConsumer : class
            where TMessage : class
        {
            if (configurator is IConsumerMessageConfigurator<TConsumer, PredictionRequest> requests && _configured.Add(configurator))
            {
                requests.Message(message => message.UseFilter(filter));
            }
        }
    }
}
