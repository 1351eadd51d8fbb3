using MassTransit;
using Predictions.Messaging.Rollouts;

namespace Predictions.Messaging.Tests.Rollouts;

/// <summary>The rollout's messages go to the exchanges <see cref="Topology"/> names, fanout ones, on any host's bus.</summary>
public sealed class RolloutTopologyTests
{
    private readonly IBusControl _bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.UsePredictionTopology(new WorkQueueOptions()));

    [Fact]
    public void The_announced_state_and_the_readiness_reports_go_to_their_fanout_exchanges()
    {
        Assert.Equal(Topology.Rollouts, _bus.Topology.Message<RolloutAnnounced>().EntityName);
        Assert.Equal(Topology.Readiness, _bus.Topology.Message<LaneReadinessReported>().EntityName);
        Assert.Equal([(Topology.Rollouts, "fanout")], Exchanges<RolloutAnnounced>());
        Assert.Equal([(Topology.Readiness, "fanout")], Exchanges<LaneReadinessReported>());
    }

    private (string Name, string Type)[] Exchanges<T>()
        where T : class
    {
        var topology = ((IRabbitMqMessagePublishTopology<T>)_bus.Topology.Publish<T>()).GetBrokerTopology();
        return [.. topology.Exchanges.Select(e => (e.ExchangeName, e.ExchangeType))];
    }
}
