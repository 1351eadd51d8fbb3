namespace Predictions.Contracts;

/// <summary>
/// A prediction's deadline passed before inference started, so it was not computed and will not be; its
/// timings hold the stages that ran before the deadline was found to have passed. Published to the
/// <c>prediction-expired</c> exchange.
/// </summary>
public record PredictionExpired : PredictionOutcome
{
    public required DateTimeOffset Deadline { get; init; }

    public required DateTimeOffset ExpiredAt { get; init; }
}
