namespace Predictions.Gateway.Status;

/// <summary>Where a prediction stands. Serialized in camelCase: <c>queued</c>, <c>completed</c>, <c>failed</c>, <c>expired</c>.</summary>
public enum PredictionStatus
{
    Queued,
    Completed,
    Failed,

    /// <summary>The deadline passed before inference started; it was not computed.</summary>
    Expired,
}
