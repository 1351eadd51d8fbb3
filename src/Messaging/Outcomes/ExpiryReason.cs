namespace Predictions.Messaging.Outcomes;

/// <summary>The words an expired prediction is reported with, the same in its status, its audit row and the worker's log.</summary>
public static class ExpiryReason
{
    public static string For(DateTimeOffset deadline) =>
        $"the deadline {deadline.UtcDateTime:O} passed before inference started";
}
