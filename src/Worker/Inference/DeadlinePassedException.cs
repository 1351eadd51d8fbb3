using Predictions.Messaging.Outcomes;


namespace Predictions.Worker.Inference;

/// <summary>A prediction's deadline passed before a pool thread could start it, so it was not computed.</summary>
public sealed class DeadlinePassedException(DateTimeOffset deadline, DateTimeOffset queuedAt)
    : Exception(ExpiryReason.For(deadline))
{
    /// <summary>When the prediction was handed to the pool.</summary>
    public DateTimeOffset QueuedAt { get; } = queuedAt;
}
