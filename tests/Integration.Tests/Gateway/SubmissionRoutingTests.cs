using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Integration.Tests.Gateway;

/// <summary>
/// Where a request goes on the broker: an HTTP submission to the work queue alone (the gateway recorded it as
/// queued when it published it), a direct publish also to the gateway's copy, so it shows as queued too.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class SubmissionRoutingTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_http_submission_is_never_copied_to_the_status_requests_queue_and_a_direct_publish_is()
    {
        const int Submissions = 5;
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();

        var accepted = await Task.WhenAll(Enumerable.Range(1, Submissions).Select(i => system.SubmitAsync(i, i)));
        foreach (var id in accepted.Select(a => a.GetProperty("id").GetString()!))
        {
            Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
        }

        // One direct request after them all: once the broker's counters show it, they would show any copy before it.
        var direct = Guid.NewGuid().ToString();
        await system.Broker.PublishAsync(Topology.PredictionRequests, $$"""{"predictionId": "{{direct}}", "itemId": 9, "featureValue": 1}""");
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(direct, Timeout)).GetProperty("status").GetString());

        long? copies = null, work = null;
        await Eventually.HoldsAsync(
            async () => (copies = await PublishedIntoAsync(system, Topology.StatusRequestsQueue)) >= 1
                && (work = await PublishedIntoAsync(system, Topology.WorkQueue)) >= Submissions + 1,
            Timeout,
            () => $"the broker counted {copies?.ToString() ?? "no"} requests into {Topology.StatusRequestsQueue} and {work?.ToString() ?? "no"} into {Topology.WorkQueue}");
        Assert.Equal(1, copies);
        Assert.Equal(Submissions + 1, work);
    }

    /// <summary>How many messages the management API counted into <paramref name="queue"/> so far, or null before it counted any.</summary>
    private static async Task<long?> PublishedIntoAsync(PredictionSystem system, string queue)
    {
        var state = await system.Broker.Owner.GetAsync<JsonElement>($"api/queues/{Uri.EscapeDataString(system.Broker.Name)}/{queue}");
        return state.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("publish", out var published) ? published.GetInt64() : null;
    }
}
