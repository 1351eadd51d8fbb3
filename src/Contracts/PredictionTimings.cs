namespace Predictions.Contracts;

/// <summary>
/// When each stage of a prediction started and ended in the worker. A stage that never ran is null.
/// </summary>
public record PredictionTimings
{
    public required DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset? MetadataStartedAt { get; init; }

    public DateTimeOffset? MetadataCompletedAt { get; init; }

    /// <summary>Handed to the inference pool; the gap to <see cref="InferenceStartedAt"/> is the wait for a thread.</summary>
    public DateTimeOffset? InferenceQueuedAt { get; init; }

    public DateTimeOffset? InferenceStartedAt { get; init; }

    public DateTimeOffset? InferenceCompletedAt { get; init; }
}
