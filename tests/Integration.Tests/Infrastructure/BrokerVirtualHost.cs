using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>One test's private virtual host, and a plain AMQP connection to look into it.</summary>
public sealed class BrokerVirtualHost(string name, Uri amqpUri, Func<Task> delete) : IAsyncDisposable
{
    private IConnection? _connection;

    public string Name { get; } = name;

    /// <summary>amqp://user:password@host:port/vhost, as the services' <c>ConnectionStrings:RabbitMq</c>.</summary>
    public Uri AmqpUri { get; } = amqpUri;

    /// <summary>The queue's ready messages and consumers right now, or null when it does not exist.</summary>
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

    public async Task<IConnection> ConnectAsync()
    {
        return _connection ??= await new ConnectionFactory { Uri = AmqpUri, ClientProvidedName = "integration-tests" }.CreateConnectionAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            _connection.Dispose();
        }

        await delete();
    }
}

public sealed record QueueState(uint Messages, uint Consumers);
