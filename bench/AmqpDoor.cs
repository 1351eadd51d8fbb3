using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Predictions.Messaging.Broker;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Predictions.Bench;

/// <summary>
/// The second door, as a non-.NET service would use it: plain JSON published to <c>prediction-requests</c>
/// with confirms, results read from a queue of our own bound to the result exchanges. Without
/// <c>awaitOutcome</c> a request counts as done once the broker confirmed it.
/// </summary>
public static class AmqpDoor
{
    public static async Task<LoadResult> RunAsync(
        BrokerAddress amqp, WorkloadPlan plan, bool awaitOutcome, Action<LoadResult> progress, CancellationToken cancellationToken)
    {
        var result = new LoadResult();
        var pending = new ConcurrentDictionary<Guid, TaskCompletionSource<bool>>();
        await using var connection = await amqp.ConnectAsync("bench-amqp-door", cancellationToken);

        await using var results = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var queue = (await results.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken))
            .QueueName;
        await results.QueueBindAsync(queue, "prediction-completed", "", cancellationToken: cancellationToken);
        await results.QueueBindAsync(queue, "prediction-failed", "", cancellationToken: cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(results);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            if (PredictionIdOf(delivery.Body.Span) is { } id && pending.TryRemove(id, out var done))
            {
                done.TrySetResult(delivery.Exchange == "prediction-completed");
            }

            return Task.CompletedTask;
        };
        await results.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken);

        var channels = new List<IChannel>();
        for (var i = 0; i < Math.Min(plan.Concurrency, 8); i++)
        {
            channels.Add(await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken));
        }

        var next = -1;
        var clock = Stopwatch.StartNew();
        using var reporter = Progress.Every(TimeSpan.FromSeconds(1), () => progress(result));
        await Task.WhenAll(Enumerable.Range(0, plan.Concurrency).Select(client => Task.Run(async () =>
        {
            var channel = channels[client % channels.Count];
            int index;
            while ((index = Interlocked.Increment(ref next)) < plan.Requests && !cancellationToken.IsCancellationRequested)
            {
                var id = Guid.NewGuid();
                var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                pending[id] = done;
                var started = Stopwatch.GetTimestamp();
                var body = Encoding.UTF8.GetBytes($$"""{"predictionId":"{{id}}","itemId":{{index}},"featureValue":{{index % 100}}.5"""
                    + $$""","submittedAt":"{{DateTimeOffset.UtcNow:O}}"}""");
                var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };
                await channel.BasicPublishAsync("prediction-requests", "", mandatory: false, properties, body, cancellationToken);
                if (!awaitOutcome)
                {
                    // Only queueing: the broker's confirm is the answer.
                    pending.TryRemove(id, out _);
                    result.Record(true, Stopwatch.GetElapsedTime(started));
                    continue;
                }

                try
                {
                    var completed = await done.Task.WaitAsync(Requests.Timeout, cancellationToken);
                    result.Record(completed, Stopwatch.GetElapsedTime(started));
                }
                catch (TimeoutException)
                {
                    pending.TryRemove(id, out _);
                    result.RecordLost();
                }
            }
        }, cancellationToken)));
        result.Elapsed = clock.Elapsed;

        foreach (var channel in channels)
        {
            await channel.DisposeAsync();
        }

        return result;
    }

    /// <summary>The predictionId inside MassTransit's envelope: <c>{"message": {"predictionId": …}}</c>.</summary>
    private static Guid? PredictionIdOf(ReadOnlySpan<byte> envelope)
    {
        var reader = new Utf8JsonReader(envelope);
        var depth = 0;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartObject)
            {
                depth++;
            }
            else if (reader.TokenType is JsonTokenType.EndObject)
            {
                depth--;
            }
            else if (depth == 2 && reader.TokenType is JsonTokenType.PropertyName && reader.ValueTextEquals("predictionId"u8))
            {
                reader.Read();
                return reader.GetGuid();
            }
        }

        return null;
    }
}
