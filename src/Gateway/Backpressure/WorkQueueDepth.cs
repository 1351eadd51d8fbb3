using Predictions.Messaging.Health;

namespace Predictions.Gateway.Backpressure;

/// <summary>The work queue's depth, read by the probe the endpoint health reads queues with.</summary>
public sealed class WorkQueueDepth(IQueueProbe probe) : IWorkQueueDepth
{
    // Asked on the publish path: a broker too slow to answer in this time is as good as one that cannot.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<long?> ReadAsync(string queue, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            return await probe.ReadyMessagesAsync(queue, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
