namespace Predictions.Contracts;

/// <summary>
/// A prediction cannot be computed and will not be retried. Published to the
/// <c>prediction-failed</c> exchange.
/// </summary>
public record PredictionFailed
{
    public required Guid PredictionId { get; init; }

    public required long ItemId { get; init; }

    public required double FeatureValue { get; init; }

    /// <summary>Why, in words meant for the client that asked.</summary>
    public required string Error { get; init; }

    public DateTimeOffset? SubmittedAt { get; init; }

    public required DateTimeOffset FailedAt { get; init; }

    public required string Worker { get; init; }

    public required PredictionTimings Timings { get; init; }
}
