using System.Text;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using Predictions.Messaging.Requests;
using RabbitMQ.Client;

namespace Predictions.Integration.Tests.Gateway;

/// <summary>
/// Where a request goes on the broker: an HTTP submission to the work queue alone (the gateway recorded it as
/// queued when it published it), a direct publish also to the gateway's copy, so it shows as queued too; and what
/// an HTTP submission looks like there.
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

        // The gateway declares its exchange with its first publish. Then a tap on each request exchange, as any
        // subscriber would bind: it counts what the exchange routes from then on, exactly.
        Assert.Equal(
            "completed",
            (await system.WaitForOutcomeAsync((await system.SubmitAsync(1, 1)).GetProperty("id").GetString()!, Timeout))
                .GetProperty("status").GetString());
        var door = await system.Broker.BindQueueAsync(Topology.PredictionRequests);
        var submissions = await system.Broker.BindQueueAsync(Topology.Submissions);

        var accepted = await Task.WhenAll(Enumerable.Range(1, Submissions).Select(i => system.SubmitAsync(i, i)));
        foreach (var id in accepted.Select(a => a.GetProperty("id").GetString()!))
        {
            Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
        }

        var direct = Guid.NewGuid().ToString();
        await system.Broker.PublishAsync(Topology.PredictionRequests, $$"""{"predictionId": "{{direct}}", "itemId": 9, "featureValue": 1}""");
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(direct, Timeout)).GetProperty("status").GetString());

        // The gateway published its five to its own exchange alone, the one that reaches only the work queue, as
        // plain persistent JSON a publisher in any language could have sent, each with its prediction id as message
        // id and marked as come by HTTP; the direct request, through the door that also feeds the gateway's copy,
        // was computed and is pollable.
        var published = new List<BasicGetResult>();
        while (await system.Broker.GetAsync(submissions) is { } message)
        {
            published.Add(message);
        }

        Assert.Equal(accepted.Select(a => a.GetProperty("id").GetString()).Order(), published.Select(m => m.BasicProperties.MessageId).Order());
        Assert.All(published, message =>
        {
            Assert.Equal("application/json", message.BasicProperties.ContentType);
            Assert.Equal(DeliveryModes.Persistent, message.BasicProperties.DeliveryMode);
            Assert.Equal(Doors.Http, Encoding.UTF8.GetString((byte[])message.BasicProperties.Headers![Doors.Header]!));
            using var body = JsonDocument.Parse(message.Body);
            Assert.Equal(message.BasicProperties.MessageId, body.RootElement.GetProperty("predictionId").GetString());
        });
        Assert.Equal(1, await CountAsync(system, door));

        // And that exchange reaches the work queue alone (besides the tap): no copy for the gateway.
        var bindings = await system.Broker.Owner.GetAsync<JsonElement>(
            $"api/exchanges/{Uri.EscapeDataString(system.Broker.Name)}/{Topology.Submissions}/bindings/source");
        Assert.Equal(
            [Topology.WorkQueue, submissions],
            bindings.EnumerateArray().Select(binding => binding.GetProperty("destination").GetString()!).Order(StringComparer.Ordinal));
    }

    /// <summary>Takes every message from a tap queue, counting them.</summary>
    private static async Task<int> CountAsync(PredictionSystem system, string queue)
    {
        var count = 0;
        while (await system.Broker.GetAsync(queue) is not null)
        {
            count++;
        }

        return count;
    }
}
