using MassTransit;
using Predictions.Contracts;

namespace Predictions.Messaging.Tests;

/// <summary>
/// What a host declares on the broker when it publishes an outcome, read from the RabbitMQ topology both hosts
/// configure: the outcome's own exchange, and none for the part the outcomes share.
/// </summary>
public sealed class OutcomeTopologyTests
{
    private readonly IBusControl _bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.UsePredictionTopology(new WorkQueueOptions()));

    [Fact]
    public void Each_outcome_is_published_to_its_own_exchange_alone()
    {
        Assert.Equal([Topology.PredictionCompleted], Exchanges<PredictionCompleted>());
        Assert.Equal([Topology.PredictionFailed], Exchanges<PredictionFailed>());
        Assert.Equal([Topology.PredictionExpired], Exchanges<PredictionExpired>());
    }

    /// <summary>The exchanges declared, and the exchanges bound to others, before the first publish of a <typeparamref name="T"/>.</summary>
    private string[] Exchanges<T>()
        where T : class
    {
        var topology = ((IRabbitMqMessagePublishTopology<T>)_bus.Topology.Publish<T>()).GetBrokerTopology();
        return [.. topology.Exchanges.Select(e => e.ExchangeName)
            .Concat(topology.ExchangeBindings.Select(b => $"{b.Source.ExchangeName} -> {b.Destination.ExchangeName}"))];
    }
}
