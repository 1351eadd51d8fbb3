using MassTransit;
using Predictions.Contracts;

namespace Predictions.Messaging.Tests;

/// <summary>The work queue a publisher declares: members on every node of a cluster when asked, RabbitMQ's default otherwise.</summary>
public sealed class QuorumGroupSizeTests
{
    [Fact]
    public void The_work_queue_gets_the_configured_group_size()
    {
        var arguments = WorkQueueArguments(new WorkQueueOptions { QuorumInitialGroupSize = 3 });

        Assert.Equal("quorum", arguments["x-queue-type"]);
        Assert.Equal(3, arguments["x-quorum-initial-group-size"]);
    }

    [Fact]
    public void Unset_the_argument_is_left_out_so_existing_queues_declare_as_before()
    {
        var arguments = WorkQueueArguments(new WorkQueueOptions());

        Assert.Equal("quorum", arguments["x-queue-type"]);
        Assert.False(arguments.ContainsKey("x-quorum-initial-group-size"));
    }

    private static IDictionary<string, object> WorkQueueArguments(WorkQueueOptions options)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.UsePredictionTopology(options));
        var topology = ((IRabbitMqMessagePublishTopology<PredictionRequest>)bus.Topology.Publish<PredictionRequest>()).GetBrokerTopology();
        return topology.Queues.Single(q => q.QueueName == Topology.WorkQueue).QueueArguments;
    }
}
