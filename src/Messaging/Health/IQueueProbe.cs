namespace Predictions.Messaging.Health;

/// <summary>Asks the broker how many messages wait, ready, in a queue.</summary>
public interface IQueueProbe
{
    /// <summary>The queue's ready messages; null when the broker cannot be asked now.</summary>
    Task<uint?> ReadyMessagesAsync(string queue, CancellationToken cancellationToken);
}
