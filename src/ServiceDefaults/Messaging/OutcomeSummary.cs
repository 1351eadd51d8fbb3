using Predictions.Contracts;

namespace Predictions.ServiceDefaults.Messaging;

/// <summary>
/// An outcome as the stores record it, the same in the gateway's status and the worker's audit row: its status
/// word, when the worker reached it, and why a prediction failed or expired.
/// </summary>
public sealed record OutcomeSummary(string Status, DateTimeOffset FinishedAt, string? Error)
{
    public static OutcomeSummary Of(PredictionOutcome outcome) => outcome switch
    {
        PredictionCompleted completed => new("completed", completed.CompletedAt, null),
        PredictionFailed failed => new("failed", failed.FailedAt, failed.Error),
        PredictionExpired expired => new("expired", expired.ExpiredAt, ExpiryReason.For(expired.Deadline)),
        _ => throw new ArgumentException($"{outcome.GetType().Name} is not an outcome the stores know.", nameof(outcome)),
    };
}
