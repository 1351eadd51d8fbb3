namespace Predictions.Gateway.Status;

/// <summary>Where a prediction stands. Serialized in camelCase: <c>queued</c>, <c>completed</c>, <c>failed</c>.</summary>
public enum PredictionStatus
{
    Queued,
    Completed,
    Failed,
}
