using Predictions.Gateway.Backpressure;
using Predictions.Messaging;
using Predictions.Messaging.Health;

namespace Predictions.Gateway.Tests.Backpressure;

/// <summary>The gateway reads the work queue's depth through the probe both hosts share, never by a channel of its own.</summary>
public sealed class WorkQueueDepthTests
{
    [Fact]
    public async Task The_depth_is_the_probes_answer_for_the_lane_asked_about()
    {
        var probe = new AnsweringProbe(42);

        Assert.Equal(42L, await new WorkQueueDepth(probe).ReadAsync("prediction-worker.item-scorer.1", CancellationToken.None));
        Assert.Equal(["prediction-worker.item-scorer.1"], probe.Asked);
    }

    [Fact]
    public async Task A_probe_that_cannot_answer_leaves_the_depth_unknown()
    {
        Assert.Null(await new WorkQueueDepth(new AnsweringProbe(null)).ReadAsync(Topology.WorkQueue, CancellationToken.None));
    }

    private sealed class AnsweringProbe(uint? answer) : IQueueProbe
    {
        public List<string> Asked { get; } = [];

        public Task<uint?> ReadyMessagesAsync(string queue, CancellationToken cancellationToken)
        {
            Asked.Add(queue);
            return Task.FromResult(answer);
        }
    }
}
