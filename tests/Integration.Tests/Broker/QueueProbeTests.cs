using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging.Broker;
using Predictions.Messaging.Health;

namespace Predictions.Integration.Tests.Broker;

/// <summary>
/// The one probe both hosts read queue depths with (endpoint health and the gateway's backpressure), against a real
/// broker: the ready messages of a queue, and no answer, rather than an exception, for a queue or a broker it cannot ask.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class QueueProbeTests(BrokerFixture fixture)
{
    [Fact]
    public async Task The_probe_reads_the_ready_messages_of_a_queue_and_nothing_for_a_queue_that_is_not_there()
    {
        await using var vhost = await fixture.Broker.CreateVirtualHostAsync();
        var queue = await vhost.BindQueueAsync("amq.fanout");
        for (var i = 0; i < 3; i++)
        {
            await vhost.PublishAsync("amq.fanout", "{}");
        }

        await using var connection = Connection(vhost.AmqpUri.ToString());
        var probe = new RabbitQueueProbe(connection, NullLogger<RabbitQueueProbe>.Instance);

        Assert.Equal(3u, await probe.ReadyMessagesAsync(queue, CancellationToken.None));
        Assert.Null(await probe.ReadyMessagesAsync("no-such-queue", CancellationToken.None));

    }

    [Fact]
    public async Task A_broker_that_cannot_be_reached_gets_no_answer_instead_of_an_exception()
    {
        await using var connection = Connection($"amqp://guest:guest@127.0.0.1:{Harness.Ports.Free()}/");
        var probe = new RabbitQueueProbe(connection, NullLogger<RabbitQueueProbe>.Instance);

        Assert.Null(await probe.ReadyMessagesAsync("any", CancellationToken.None));
    }

    private static PlainBrokerConnection Connection(string uri) =>
        new(Options.Create(new BrokerOptions { ConnectionString = uri }), NullLogger<PlainBrokerConnection>.Instance);
}
