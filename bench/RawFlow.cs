using System.Collections.Concurrent;
using System.Diagnostics;
using Predictions.Messaging.Broker;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Predictions.Bench;

/// <summary>
/// What the broker itself can do for our design on this machine: the same message flow as a prediction,
/// done with RabbitMQ.Client alone and done efficiently. Each request is published persistent and
/// confirmed to a fanout bound to a quorum work queue, and for the AMQP door also to the gateway's copy
/// (the gateway records its own HTTP submissions and gets no copy of them), and consumed; its
/// result is published persistent to a fanout with as many queues as the real result exchange has, and
/// the request is acknowledged only once the broker confirmed the result (confirms handled as a stream,
/// not awaited one by one); each result queue is consumed. No framework, no stores, no model.
/// </summary>
public static class RawFlow
{
    private const string RequestExchange = "raw-requests";
    private const string ResultExchange = "raw-results";

    public static async Task<double> MeasureAsync(BrokerAddress amqp, int requests, int concurrency, int prefetch, bool requestCopy,
        int resultQueues, int requestBytes, int resultBytes, CancellationToken cancellationToken)
    {
        var requestBody = new byte[requestBytes];
        var resultBody = new byte[resultBytes];
        var confirms = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

        await using var client = await amqp.ConnectAsync("bench-raw-client", cancellationToken);
        await using var server = await amqp.ConnectAsync("bench-raw-worker", cancellationToken);

        await using var setup = await client.CreateChannelAsync(cancellationToken: cancellationToken);
        var resultQueueNames = Enumerable.Range(1, resultQueues).Select(i => $"raw-result-{i}").ToList();
        await DeclareAsync(setup, requestCopy, resultQueueNames, cancellationToken);

        var arrivals = new ConcurrentDictionary<string, int>();
        var pending = new ConcurrentDictionary<string, TaskCompletionSource>();
        await using var worker = await StartWorkerAsync(server, prefetch, resultBody, cancellationToken);

        // The gateway's copy of each request, and every result queue, consumed as our consumers do.
        var consumers = new List<IChannel>();
        if (requestCopy)
        {
            consumers.Add(await ConsumeAsync(client, "raw-copy", prefetch, _ => { }, cancellationToken));
        }

        foreach (var queue in resultQueueNames)
        {
            consumers.Add(await ConsumeAsync(client, queue, prefetch, id =>
            {
                if (arrivals.AddOrUpdate(id, 1, (_, n) => n + 1) == resultQueues && pending.TryRemove(id, out var done))
                {
                    arrivals.TryRemove(id, out _);
                    done.TrySetResult();
                }
            }, cancellationToken));
        }

        var channels = new List<IChannel>();
        for (var i = 0; i < Math.Min(concurrency, 8); i++)
        {
            channels.Add(await client.CreateChannelAsync(confirms, cancellationToken));
        }

        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(c => Task.Run(async () =>
        {
            var channel = channels[c % channels.Count];
            while (Interlocked.Increment(ref next) < requests && !cancellationToken.IsCancellationRequested)
            {
                var id = Guid.NewGuid().ToString();
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                pending[id] = done;
                var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json", MessageId = id };
                await channel.BasicPublishAsync(RequestExchange, "", mandatory: false, properties, requestBody, cancellationToken);
                await done.Task.WaitAsync(Requests.Timeout, cancellationToken);
            }
        }, cancellationToken)));
        var rate = requests / clock.Elapsed.TotalSeconds;

        foreach (var channel in channels.Concat(consumers))
        {
            await channel.DisposeAsync();
        }

        await DeleteAsync(setup, requestCopy, resultQueueNames, cancellationToken);
        return rate;
    }

    /// <summary>
    /// The worker: for each request, publish its result; when the broker confirms results, acknowledge
    /// every request whose result is confirmed, in one multiple-ack.
    /// </summary>
    private static async Task<IChannel> StartWorkerAsync(
        IConnection connection, int prefetch, byte[] resultBody, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false), cancellationToken);
        await channel.BasicQosAsync(0, (ushort)prefetch, false, cancellationToken);
        var inFlight = new ConcurrentQueue<(ulong Sequence, ulong DeliveryTag)>();
        var acking = new SemaphoreSlim(1, 1);
        channel.BasicAcksAsync += async (_, confirm) =>
        {
            await acking.WaitAsync(cancellationToken);
            try
            {
                ulong? last = null;
                while (inFlight.TryPeek(out var head)
                    && (head.Sequence == confirm.DeliveryTag || (confirm.Multiple && head.Sequence <= confirm.DeliveryTag)))
                {
                    inFlight.TryDequeue(out var _);
                    last = head.DeliveryTag;
                }

                if (last is { } tag)
                {
                    await channel.BasicAckAsync(tag, multiple: true, cancellationToken);
                }
            }
            finally
            {
                acking.Release();
            }
        };

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            // Deliveries arrive one at a time, so sequence numbers and delivery tags rise together.
            var sequence = await channel.GetNextPublishSequenceNumberAsync(cancellationToken);
            inFlight.Enqueue((sequence, delivery.DeliveryTag));
            var properties = new BasicProperties
            {
                DeliveryMode = DeliveryModes.Persistent,
                ContentType = "application/json",
                MessageId = delivery.BasicProperties.MessageId,
            };
            await channel.BasicPublishAsync(ResultExchange, "", mandatory: false, properties, resultBody, cancellationToken);
        };
        await channel.BasicConsumeAsync("raw-work", autoAck: false, consumer, cancellationToken);
        return channel;
    }

    private static async Task DeclareAsync(IChannel channel, bool requestCopy, List<string> resultQueues, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(RequestExchange, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync("raw-work", durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
        await channel.QueueBindAsync("raw-work", RequestExchange, "", cancellationToken: cancellationToken);
        if (requestCopy)
        {
            await channel.QueueDeclareAsync("raw-copy", durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueBindAsync("raw-copy", RequestExchange, "", cancellationToken: cancellationToken);
        }

        await channel.ExchangeDeclareAsync(ResultExchange, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
        foreach (var queue in resultQueues)
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue, ResultExchange, "", cancellationToken: cancellationToken);
        }
    }

    private static async Task DeleteAsync(IChannel channel, bool requestCopy, List<string> resultQueues, CancellationToken cancellationToken)
    {
        foreach (var queue in resultQueues.Append("raw-work").Concat(requestCopy ? ["raw-copy"] : []))
        {
            await channel.QueueDeleteAsync(queue, cancellationToken: cancellationToken);
        }

        await channel.ExchangeDeleteAsync(RequestExchange, cancellationToken: cancellationToken);
        await channel.ExchangeDeleteAsync(ResultExchange, cancellationToken: cancellationToken);
    }

    private static async Task<IChannel> ConsumeAsync(
        IConnection connection, string queue, int prefetch, Action<string> received, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.BasicQosAsync(0, (ushort)prefetch, false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            received(delivery.BasicProperties.MessageId ?? "");
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
        return channel;
    }
}
