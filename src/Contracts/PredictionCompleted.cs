namespace Predictions.Contracts;

/// <summary>A prediction was computed. Published to the <c>prediction-completed</c> exchange.</summary>
public record PredictionCompleted : PredictionOutcome
{
    /// <summary>The item's named values as the metadata source returned them.</summary>
    public required IReadOnlyDictionary<string, double> Metadata { get; init; }

    public required double Prediction { get; init; }

    public required DateTimeOffset CompletedAt { get; init; }
}
