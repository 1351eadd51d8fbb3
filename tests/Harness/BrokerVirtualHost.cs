using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Predictions.Harness;

/// <summary>
/// One test's private virtual host, and a plain AMQP connection to look into it. On a cluster, <paramref name="nodes"/>
/// holds every node's address in it, and the connection goes to whichever node answers.
/// </summary>
public sealed class BrokerVirtualHost(RabbitMqBroker owner, string name, Uri amqpUri, Func<Task> delete, IReadOnlyList<Uri>? nodes = null)
    : IAsyncDisposable
{
    private IConnection? _connection;

    /// <summary>The broker, for its management API.</summary>
    public RabbitMqBroker Owner { get; } = owner;

    public string Name { get; } = name;

    /// <summary>amqp://user:password@host:port/vhost, as the services' <c>ConnectionStrings:RabbitMq</c>.</summary>
    public Uri AmqpUri { get; } = amqpUri;

    /// <summary>The services' <c>ConnectionStrings:RabbitMq</c>: <see cref="AmqpUri"/>, or on a cluster every node's host:port in one URI.</summary>
    public string ConnectionString { get; } = nodes is { Count: > 1 }
        ? amqpUri.GetLeftPart(UriPartial.Scheme) + amqpUri.UserInfo + "@" + string.Join(',', nodes.Select(n => n.Authority)) + amqpUri.AbsolutePath
        : amqpUri.ToString();

    /// <summary>True on a cluster: the tests' own queues must then be quorum queues to outlive a node.</summary>
    public bool Clustered => nodes is { Count: > 1 };

    /// <summary>
    /// The queue's ready messages and consumers right now, or null when it does not exist. A quorum queue whose
    /// leader does not answer within 250 ms (a loaded machine) reads as 0 and 0: wait for a count, don't read it once.
    /// </summary>
    public async Task<QueueState?> GetQueueAsync(string queue)
    {
        var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue);
            return new QueueState(ok.MessageCount, ok.ConsumerCount);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>Each queue's ready and unacknowledged messages (see <see cref="RabbitMqBroker.QueueDepthsAsync"/>).</summary>
    public Task<IReadOnlyDictionary<string, QueueDepth>> QueueDepthsAsync() => Owner.QueueDepthsAsync(Name);

    /// <summary>One queue's messages, ready and unacknowledged; none for a queue no node counts (yet).</summary>
    public async Task<QueueDepth> DepthOfAsync(string queue) => (await QueueDepthsAsync()).GetValueOrDefault(queue) ?? new QueueDepth(0, 0);

    /// <summary>Publishes as a plain AMQP client would (no MassTransit), persistent, and waits for the broker's confirm.</summary>
    public async Task PublishAsync(string exchange, string body, string? contentType = "application/json", string? messageId = null)
    {
        var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { ContentType = contentType, MessageId = messageId, DeliveryMode = DeliveryModes.Persistent };
        await channel.BasicPublishAsync(exchange, "", mandatory: false, properties, System.Text.Encoding.UTF8.GetBytes(body));
    }

    /// <summary>Declares a queue of the test's own, bound to <paramref name="exchange"/>, as a subscriber would.</summary>
    public async Task<string> BindQueueAsync(string exchange)
    {
        var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        // Durable: RabbitMQ 4.3 refuses transient queues that are not exclusive, and the tests' own connection may be replaced.
        var queue = (await channel.QueueDeclareAsync($"test-{exchange}-{Guid.NewGuid():N}", durable: true, exclusive: false, autoDelete: false))
            .QueueName;
        await channel.QueueBindAsync(queue, exchange, "");
        return queue;
    }

    /// <summary>Takes the next message from a queue, or null when it is empty.</summary>
    public async Task<BasicGetResult?> GetAsync(string queue)
    {
        var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await channel.BasicGetAsync(queue, autoAck: true);
    }

    /// <summary>The tests' own connection; a new one when a broker restart closed the last.</summary>
    public async Task<IConnection> ConnectAsync()
    {
        if (_connection is { IsOpen: false })
        {
            _connection.Dispose();
            _connection = null;
        }

        var factory = new ConnectionFactory { Uri = AmqpUri, ClientProvidedName = "integration-tests", AutomaticRecoveryEnabled = false };
        return _connection ??= Clustered
            ? await factory.CreateConnectionAsync(nodes!.Select(n => new AmqpTcpEndpoint(n.Host, n.Port)).ToList())
            : await factory.CreateConnectionAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            // An outage the test caused may have closed it already.
            if (_connection.IsOpen)
            {
                await _connection.CloseAsync();
            }

            _connection.Dispose();
        }

        await delete();
    }
}

public sealed record QueueState(uint Messages, uint Consumers);
