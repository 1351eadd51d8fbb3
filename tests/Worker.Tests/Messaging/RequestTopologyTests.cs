using MassTransit;
using Predictions.Contracts;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Worker.Tests.Messaging;

/// <summary>
/// What a publisher of requests declares before its first publish: the work queue, bound from its own exchange and
/// from the direct publishers' door (so a request accepted before any worker ran waits, whichever door it came
/// by), and nothing that would copy its own requests anywhere else.
/// </summary>
public sealed class RequestTopologyTests
{
    [Theory]
    [InlineData(Topology.PredictionRequests)]
    [InlineData(Topology.Submissions)]
    public void A_publisher_declares_the_work_queue_bound_from_its_exchange_and_the_direct_door_alone(string requests)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.UsePredictionTopology(new WorkQueueOptions(), requests));
        var topology = ((IRabbitMqMessagePublishTopology<PredictionRequest>)bus.Topology.Publish<PredictionRequest>()).GetBrokerTopology();
        string[] exchanges = [.. new[] { requests, Topology.PredictionRequests }.Distinct().Order()];

        Assert.Equal(exchanges, topology.Exchanges.Select(e => e.ExchangeName).Distinct().Order());
        Assert.Equal([Topology.WorkQueue], topology.Queues.Select(q => q.QueueName).Distinct());
        Assert.Equal(exchanges.Select(e => $"{e} -> {Topology.WorkQueue}"), topology.QueueBindings.Select(b => $"{b.Source.ExchangeName} -> {b.Destination.QueueName}").Order());
        Assert.Empty(topology.ExchangeBindings);
    }
}
