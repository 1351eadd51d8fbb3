using System.Collections.Concurrent;
using Predictions.Contracts;
using Predictions.Gateway.Backpressure;
using Predictions.Gateway.Publishing;
using Predictions.Gateway.Routing;
using Predictions.Messaging.Broker;

namespace Predictions.Gateway.Tests.Api;

/// <summary>
/// Stands in for the broker's answer to each publish: it confirms, refuses the message as a full work queue does (a
/// negative confirm), fails, withholds its confirm until the publish gives up, or holds the publish until the test
/// says how it ends. It also tells the work queue's depth, which tells a full queue's refusal from one between
/// leaders, and counts the channels distrusted.
/// </summary>
public sealed class ScriptedBroker : ISubmissionPublisher, IWorkQueueDepth
{
    private readonly TaskCompletionSource<Guid> _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Reply> _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _channel = 1;

    public enum Reply
    {
        Confirm,
        Refuse,
        Fail,
        Withhold,

        /// <summary>Waits until <see cref="Release"/> says how the publish ends, or until the publish gives up.</summary>
        Hold,

        /// <summary>Refuses the gateway itself, as a broker that refuses its declaration or its publishes does.</summary>
        RefuseGateway,

        /// <summary>Returns the request as unroutable, as the broker does for a lane no queue is bound to.</summary>
        LaneMissing,
    }

    /// <summary>What the broker says when it refuses the gateway.</summary>
    public static BrokerRefusal GatewayRefusal { get; } = new(
        BrokerRefusal.AccessRefused,
        "ACCESS_REFUSED - access to exchange 'prediction-submissions' in vhost 'v' refused for user 'gateway'");

    /// <summary>How the broker answers the publishes from now on.</summary>
    public Reply Answers { get; set; } = Reply.Confirm;

    /// <summary>The work queue's depth, as the broker tells it; null when it cannot.</summary>
    public long? Depth { get; set; }

    /// <summary>The message id of every publish attempted, confirmed or not.</summary>
    public ConcurrentQueue<Guid> Attempts { get; } = new();

    /// <summary>Each request the broker confirmed.</summary>
    public ConcurrentQueue<PredictionRequest> Confirmed { get; } = new();

    /// <summary>The lane of every publish attempted, in order: null for the default lane.</summary>
    public ConcurrentQueue<ModelRouting.Lane?> Lanes { get; } = new();

    /// <summary>How many channels the gateway stopped publishing on.</summary>
    public int Distrusted => _channel - 1;

    /// <summary>The message id of the first publish, once it has reached the broker.</summary>
    public Task<Guid> FirstAttempt => _firstAttempt.Task;

    /// <summary>Ends every publish held so far, and those held from now on, as <paramref name="reply"/> says.</summary>
    public void Release(Reply reply) => _held.TrySetResult(reply);

    public Task<long?> ReadAsync(string queue, CancellationToken cancellationToken) => Task.FromResult(Depth);

    public async Task PublishAsync(
        PredictionRequest request, string? owner, ModelRouting.Lane? lane, CancellationToken cancellationToken, Guid? shadowOf = null)
    {
        Attempts.Enqueue(request.PredictionId);
        Lanes.Enqueue(lane);

        // Read before the test hears of the attempt: it may change the answers for the publishes after this one.
        var reply = Answers;
        var channel = _channel;
        _firstAttempt.TrySetResult(request.PredictionId);
        if (reply == Reply.Hold)
        {
            reply = await _held.Task.WaitAsync(cancellationToken);
        }

        switch (reply)
        {
            case Reply.Refuse:
                throw new PublishRefusedException(channel);
            case Reply.RefuseGateway:
                throw new PublisherRefusedException(GatewayRefusal, DateTimeOffset.UtcNow);
            case Reply.LaneMissing when lane is not null:
                throw new LaneMissingException(lane, new InvalidOperationException("The broker returned the request: NO_ROUTE."));
            case Reply.Fail:
                throw new InvalidOperationException("The connection to the broker was lost.");
            case Reply.Withhold:
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                break;
        }

        Confirmed.Enqueue(request);
    }

    // Only the channel that refused is replaced, once, however many refusals it heard.
    public void Distrust(PublishRefusedException refusal) =>
        Interlocked.CompareExchange(ref _channel, (int)refusal.Channel! + 1, (int)refusal.Channel!);
}
