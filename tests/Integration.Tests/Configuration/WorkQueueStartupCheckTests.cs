using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Configuration;

/// <summary>
/// A service started against a work queue made with other <c>WorkQueue:*</c> settings stops at once, naming the setting,
/// its value and the queue's, instead of running on while the broker refuses each declaration of the queue.
/// </summary>
[Collection(BrokerCollection.Name)]
public class WorkQueueStartupCheckTests(BrokerFixture fixture)
{
    [Theory]
    [InlineData("Gateway", "WorkQueue:MaxLength", "5", "x-max-length", "100000")]
    [InlineData("Worker", "WorkQueue:DeliveryLimit", "3", "x-delivery-limit", "10")]
    public async Task A_service_started_against_a_work_queue_with_another_setting_exits_naming_the_setting_and_both_values(
        string service, string setting, string value, string argument, string queuesValue)
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await using (var channel = await (await system.Broker.ConnectAsync()).CreateChannelAsync())
        {
            // The queue as the default settings make it, as services started before would have left it.
            await channel.QueueDeclareAsync(
                Topology.WorkQueue, durable: true, exclusive: false, autoDelete: false, Topology.WorkQueueArguments(new WorkQueueOptions()));
        }

        var settings = new Dictionary<string, string> { [setting] = value };
        var process = service == "Gateway" ? system.StartGateway(settings) : system.StartWorker(settings);

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode != 0, $"{service} exited with {exitCode}:\n{process.Output}");
        Assert.Contains($"{setting} = {value} here", process.Output, StringComparison.Ordinal);
        Assert.Contains($"exists with {argument} = {queuesValue}", process.Output, StringComparison.Ordinal);

        // And the broker's own words, as RabbitMQ 3.10 puts them.
        Assert.Contains(
            $"PRECONDITION_FAILED - inequivalent arg '{argument}' for queue '{Topology.WorkQueue}' in vhost '{system.Broker.Name}': "
            + $"received '{value}' but current is '{queuesValue}'",
            process.Output,
            StringComparison.Ordinal);
    }
}

/// <summary>The same on RabbitMQ 3.x, which sets no default delivery limit.</summary>
[Collection(RabbitMq3Collection.Name)]
public sealed class WorkQueueStartupCheckTestsOnRabbitMq3(RabbitMq3Fixture fixture) : WorkQueueStartupCheckTests(fixture);
