using System.Diagnostics;
using System.Text;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using RabbitMQ.Client;

namespace Predictions.Integration.Tests.Broker;

/// <summary>
/// <c>WorkQueue:DeliveryLimit</c>, the safety net: a request returned to <c>prediction-worker</c> more often than
/// that does not loop for ever but moves to <c>prediction-worker_suspect</c>, where a worker computes it alone.
/// </summary>
[Collection(BrokerCollection.Name)]
public class DeliveryLimitTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private const int DeliveryLimit = 2;

    private static readonly IReadOnlyDictionary<string, string> TinyLimit =
        new Dictionary<string, string>(Settings.QuickModel) { ["WorkQueue:DeliveryLimit"] = $"{DeliveryLimit}" };

    [Fact]
    public async Task A_request_returned_more_often_than_the_delivery_limit_moves_to_the_suspect_queue_and_is_computed_there()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);

        // The worker declares the queues and the dead-letter route; stopped, it leaves the request to us.
        var first = await system.StartWorkerAsync(TinyLimit);
        first.Terminate();
        Assert.Equal(0, await first.WaitForExitAsync(Timeout));
        var id = Guid.NewGuid();
        await system.Broker.PublishAsync(Topology.PredictionRequests, $$"""{"predictionId": "{{id}}", "itemId": 4, "featureValue": 1.5}""");

        // A consumer that gives it back every time: a crash loop without the cost of crashing anything.
        var connection = await system.Broker.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            for (var delivery = 1; delivery <= DeliveryLimit + 1; delivery++)
            {
                var message = await NextAsync(channel, Topology.WorkQueue, $"delivery {delivery}");
                Assert.Contains(id.ToString(), Encoding.UTF8.GetString(message.Body.Span), StringComparison.Ordinal);
                Assert.Equal(delivery - 1, DeliveryCount(message));
                await channel.BasicRejectAsync(message.DeliveryTag, requeue: true);
            }
        }

        await Eventually.HoldsAsync(
            async () => (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages == 0
                && (await system.Broker.GetQueueAsync(Topology.SuspectQueue))?.Messages == 1,
            Timeout,
            () => $"The request was not moved to {Topology.SuspectQueue} after {DeliveryLimit + 1} deliveries.");
        await AssertDeadLetteredByTheDeliveryLimitAsync(system, id);

        // Per the docs: not condemned, only set apart; the next worker computes it from the suspect queue.
        var second = await system.StartWorkerAsync(TinyLimit);
        var audit = Assert.Single(await system.Audit.WaitForAsync([id.ToString()], Timeout));
        Assert.Equal("completed", audit.Outcome);
        Assert.Equal(3, audit.Prediction);
        Assert.EndsWith($"/{second.Id}", audit.Worker, StringComparison.Ordinal);
        await Eventually.HoldsAsync(
            async () => (await system.Broker.GetQueueAsync(Topology.SuspectQueue))?.Messages == 0,
            Timeout,
            () => $"{Topology.SuspectQueue} still holds the request.\n{system.Describe()}");
        Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.PoisonQueue))?.Messages ?? 0u);
        Assert.Equal(0u, (await system.Broker.GetQueueAsync($"{Topology.WorkQueue}_error"))?.Messages ?? 0u);
        Assert.Single(await system.Audit.ReadAsync());
    }

    /// <summary>What an operator sees in the suspect queue: dead-lettered from the work queue by its delivery limit.</summary>
    private static async Task AssertDeadLetteredByTheDeliveryLimitAsync(PredictionSystem system, Guid id)
    {
        var connection = await system.Broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var message = await NextAsync(channel, Topology.SuspectQueue, "the suspect");
        try
        {
            Assert.Contains(id.ToString(), Encoding.UTF8.GetString(message.Body.Span), StringComparison.Ordinal);
            var deaths = Assert.IsAssignableFrom<IEnumerable<object>>(message.BasicProperties.Headers!["x-death"])
                .Cast<IDictionary<string, object?>>()
                .ToList();
            var death = Assert.Single(deaths);
            Assert.Equal(Topology.WorkQueue, Text(death["queue"]));
            Assert.Equal("delivery_limit", Text(death["reason"]));
        }
        finally
        {
            // Back where it was, for the worker (one return, within WorkQueue:SuspectDeliveryLimit).
            await channel.BasicRejectAsync(message.DeliveryTag, requeue: true);
        }
    }

    /// <summary>The queue's next message, unacknowledged; a return is applied by the queue a moment after it is sent.</summary>
    private static async Task<BasicGetResult> NextAsync(IChannel channel, string queue, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await channel.BasicGetAsync(queue, autoAck: false) is { } message)
            {
                return message;
            }

            Assert.True(deadline.Elapsed < Timeout, $"{queue} gave no message for {what} within {Timeout.TotalSeconds} s.");
            await Task.Delay(20);
        }
    }

    private static long DeliveryCount(BasicGetResult message) =>
        message.BasicProperties.Headers?.TryGetValue("x-delivery-count", out var count) == true
            ? Convert.ToInt64(count, System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    private static string? Text(object? value) => value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString();
}

/// <summary>The same on RabbitMQ 3.x, which counts every return of a delivery toward the limit.</summary>
[Collection(RabbitMq3Collection.Name)]
public sealed class DeliveryLimitTestsOnRabbitMq3(RabbitMq3Fixture fixture) : DeliveryLimitTests(fixture);
