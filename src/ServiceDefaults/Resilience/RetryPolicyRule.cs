namespace Predictions.ServiceDefaults.Resilience;

/// <summary>A retry policy's default pauses, and how many pauses and how long a pause its setting may hold.</summary>
public sealed record RetryPolicyRule(string Name, IReadOnlyList<TimeSpan> Defaults, int MaxPauses, TimeSpan MaxPause)
{
    /// <summary>The setting the policy's pauses are bound from, e.g. <c>Retries:StoreWrites:Intervals</c>.</summary>
    public string Setting => $"{RetryPolicies.Section}:{Name}:{nameof(RetryPolicy.Intervals)}";
}
