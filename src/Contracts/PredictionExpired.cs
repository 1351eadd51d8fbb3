namespace Predictions.Contracts;

/// <summary>
/// A prediction's deadline passed before inference started, so it was not computed and will not be.
/// Published to the <c>prediction-expired</c> exchange.
/// </summary>
public record PredictionExpired
{
    public required Guid PredictionId { get; init; }

    public required long ItemId { get; init; }

    public required double FeatureValue { get; init; }

    public required DateTimeOffset Deadline { get; init; }

    public DateTimeOffset? SubmittedAt { get; init; }

    public required DateTimeOffset ExpiredAt { get; init; }

    public required string Worker { get; init; }

    /// <summary>The stages that ran before the deadline was found to have passed; the others are null.</summary>
    public required PredictionTimings Timings { get; init; }
}
