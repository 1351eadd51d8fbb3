using MassTransit;
using Predictions.Contracts;

namespace Predictions.Messaging.Tests;

/// <summary>
/// What a MassTransit publisher of requests declares before its first publish: the work queue, bound from the direct
/// publishers' door (so a request accepted before any worker ran waits), and nothing else. The gateway declares the
/// same queue without MassTransit, so both must give it exactly the same arguments or the broker refuses the second.
/// </summary>
public sealed class RequestTopologyTests
{
    [Fact]
    public void A_publisher_declares_the_work_queue_bound_from_the_direct_door_alone()
    {
        var topology = PublishTopology(new WorkQueueOptions());

        Assert.Equal([Topology.PredictionRequests], topology.Exchanges.Select(e => e.ExchangeName).Distinct());
        Assert.Equal([Topology.WorkQueue], topology.Queues.Select(q => q.QueueName).Distinct());
        Assert.Equal(
            [$"{Topology.PredictionRequests} -> {Topology.WorkQueue}"],
            topology.QueueBindings.Select(b => $"{b.Source.ExchangeName} -> {b.Destination.QueueName}"));
        Assert.Empty(topology.ExchangeBindings);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(3)]
    public void The_work_queue_arguments_without_masstransit_are_exactly_masstransits(int? members)
    {
        var options = new WorkQueueOptions { MaxLength = 1234, DeliveryLimit = 7, QuorumInitialGroupSize = members };
        var queue = Assert.Single(PublishTopology(options).Queues);

        var declared = Topology.WorkQueueArguments(options);

        Assert.Equal(
            queue.QueueArguments.OrderBy(a => a.Key).Select(a => (a.Key, a.Value, a.Value.GetType())),
            declared.OrderBy(a => a.Key).Select(a => (a.Key, a.Value!, a.Value!.GetType())));
        Assert.True(queue.Durable);
        Assert.False(queue.AutoDelete);
    }

    private static MassTransit.RabbitMqTransport.Topology.BrokerTopology PublishTopology(WorkQueueOptions options)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.UsePredictionTopology(options));
        return ((IRabbitMqMessagePublishTopology<PredictionRequest>)bus.Topology.Publish<PredictionRequest>()).GetBrokerTopology();
    }
}
