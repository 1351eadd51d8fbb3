using System.Collections.Concurrent;
using MassTransit;
using Predictions.Contracts;
using Predictions.Gateway.Backpressure;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Gateway.Tests.Api;

/// <summary>
/// Stands in for the broker's answer to each publish on the in-memory bus: it confirms, refuses the message as a
/// full work queue does (a negative confirm), fails, or withholds its confirm until the publish gives up. It also
/// tells the work queue's depth, which tells a full queue's refusal from one between leaders.
/// </summary>
public sealed class ScriptedBroker : IPublishObserver, IWorkQueueDepth
{
    private readonly TaskCompletionSource<Guid> _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public enum Reply
    {
        Confirm,
        Refuse,
        Fail,
        Withhold,
    }

    /// <summary>How the broker answers the publishes from now on.</summary>
    public Reply Answers { get; set; } = Reply.Confirm;

    /// <summary>The work queue's depth, as the broker tells it; null when it cannot.</summary>
    public long? Depth { get; set; }

    /// <summary>The message id of every publish attempted, confirmed or not.</summary>
    public ConcurrentQueue<Guid> Attempts { get; } = new();

    /// <summary>Each request the broker confirmed, with the message id and the door header it came with.</summary>
    public ConcurrentQueue<(PredictionRequest Request, Guid? MessageId, string? Door)> Confirmed { get; } = new();

    /// <summary>The message id of the first publish, once it has reached the broker.</summary>
    public Task<Guid> FirstAttempt => _firstAttempt.Task;

    public Task<long?> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(Depth);

    public async Task PrePublish<T>(PublishContext<T> context)
        where T : class
    {
        var id = context.MessageId ?? Guid.Empty;
        Attempts.Enqueue(id);

        // Read before the test hears of the attempt: it may change the answers for the publishes after this one.
        var reply = Answers;
        _firstAttempt.TrySetResult(id);
        switch (reply)
        {
            case Reply.Refuse:
                throw new RabbitMQ.Client.Exceptions.PublishException(publishSequenceNumber: 1, isReturn: false);
            case Reply.Fail:
                throw new InvalidOperationException("The connection to the broker was lost.");
            case Reply.Withhold:
                await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken);
                break;
        }
    }

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class
    {
        if (context.Message is PredictionRequest request)
        {
            Confirmed.Enqueue((request, context.MessageId, context.Headers.Get<string>(Doors.Header)));
        }

        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
