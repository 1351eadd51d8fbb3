namespace Predictions.Gateway.Backpressure;

/// <summary>
/// How many requests wait in the work queue. Asked only when the broker refuses a publish: RabbitMQ refuses
/// one for a full queue (<c>x-overflow: reject-publish</c>) and also while a quorum queue has no leader, and
/// only the first is "come back later" (429); the second is the broker being unavailable (503).
/// </summary>
public interface IWorkQueueDepth
{
    /// <summary>The number of requests waiting in <paramref name="queue"/> (a lane), or null when the broker cannot say right now.</summary>
    Task<long?> ReadAsync(string queue, CancellationToken cancellationToken);

    /// <summary>
    /// True when <paramref name="depth"/> is at <paramref name="maxLength"/>, give or take the 1% the workers may
    /// have taken between the refusal and the count.
    /// </summary>
    static bool IsAtLimit(long? depth, int maxLength) => depth >= maxLength - Math.Max(1, maxLength / 100);
}
