using Predictions.Contracts;

namespace Predictions.Messaging.Outcomes;

/// <summary>
/// An outcome as the stores record it, the same in the gateway's status and the worker's audit row: its status
/// word, when the worker reached it, why a prediction failed or expired, and which worker reached it.
/// Which of two outcomes of one prediction is kept is <see cref="OutcomePrecedence"/>.
/// </summary>
public sealed record OutcomeSummary(string Status, DateTimeOffset FinishedAt, string? Error, string Worker)
{
    public static OutcomeSummary Of(PredictionOutcome outcome) => outcome switch
    {
        PredictionCompleted completed => new("completed", completed.CompletedAt, null, outcome.Worker),
        PredictionFailed failed => new("failed", failed.FailedAt, failed.Error, outcome.Worker),
        PredictionExpired expired => new("expired", expired.ExpiredAt, ExpiryReason.For(expired.Deadline), outcome.Worker),
        _ => throw new ArgumentException($"{outcome.GetType().Name} is not an outcome the stores know.", nameof(outcome)),
    };
}
