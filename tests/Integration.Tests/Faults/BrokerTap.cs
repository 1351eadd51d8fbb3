using System.Text.Json;
using Predictions.Harness;
using Predictions.Messaging;
using RabbitMQ.Client;

namespace Predictions.Integration.Tests.Faults;

/// <summary>
/// A durable queue of the test's own bound to some of the system's exchanges, as any subscriber's would be:
/// it keeps a copy of every message the broker took on them, through restarts of the node, whatever the
/// services then do with theirs.
/// </summary>
public sealed class BrokerTap
{
    private readonly BrokerVirtualHost _broker;
    private readonly List<TappedMessage> _taken = [];

    private BrokerTap(BrokerVirtualHost broker, string queue)
    {
        _broker = broker;
        Queue = queue;
    }

    public string Queue { get; }

    /// <summary>Every message taken from the queue so far.</summary>
    public IReadOnlyList<TappedMessage> Messages => _taken;

    /// <summary>Declares the exchanges as MassTransit does (durable fanout), and the queue bound to each.</summary>
    public static async Task<BrokerTap> CreateAsync(BrokerVirtualHost broker, string queue, params string[] exchanges)
    {
        var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        // On a cluster a classic queue lives on one node, and takes nothing while that node is down.
        var arguments = broker.Clustered ? new Dictionary<string, object?> { ["x-queue-type"] = "quorum" } : null;
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments);
        foreach (var exchange in exchanges)
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, "");
        }

        return new BrokerTap(broker, queue);
    }

    /// <summary>Binds the queue to the model lanes' direct exchange too, for each of <paramref name="routingKeys"/>.</summary>
    public async Task TapLanesAsync(IEnumerable<string> routingKeys)
    {
        var connection = await _broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Topology.Lanes, ExchangeType.Direct, durable: true, autoDelete: false);
        foreach (var key in routingKeys)
        {
            await channel.QueueBindAsync(Queue, Topology.Lanes, key);
        }
    }

    /// <summary>Takes what arrived since the last call, and returns everything taken so far.</summary>
    public async Task<IReadOnlyList<TappedMessage>> CollectAsync()
    {
        var connection = await _broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        while (await channel.BasicGetAsync(Queue, autoAck: true) is { } message)
        {
            using var document = JsonDocument.Parse(message.Body);
            // MassTransit's envelope carries the message in "message"; a plain JSON publisher sends it bare.
            var body = document.RootElement.TryGetProperty("message", out var inner) ? inner : document.RootElement;
            _taken.Add(new TappedMessage(message.Exchange, body.Clone()));
        }

        return _taken;
    }
}

/// <summary>One message as published: the exchange it went to and its JSON body (camelCase properties).</summary>
public sealed record TappedMessage(string Exchange, JsonElement Body)
{
    public string PredictionId => Body.GetProperty("predictionId").GetString()!;

    /// <summary>The fault tests submit their sequence number as the feature value.</summary>
    public long Sequence => (long)Body.GetProperty("featureValue").GetDouble();
}
