namespace Predictions.Contracts;

/// <summary>
/// A prediction cannot be computed and will not be retried. Published to the
/// <c>prediction-failed</c> exchange.
/// </summary>
public record PredictionFailed : PredictionOutcome
{
    /// <summary>Why, in words meant for the client that asked.</summary>
    public required string Error { get; init; }

    public required DateTimeOffset FailedAt { get; init; }
}
