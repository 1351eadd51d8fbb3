using System.Globalization;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Rollouts;

/// <summary>Whether a canary's figures call for stopping it, and why, in words the admin API can show.</summary>
public static class CanaryGuard
{
    /// <summary>
    /// Null while the canary is within its limits, while the window holds fewer than <see cref="GuardOptions.MinOutcomes"/>
    /// outcomes, and when it takes no traffic or was stopped already; otherwise the limits it exceeds. The canary's own
    /// limits win over the settings' defaults.
    /// </summary>
    public static string? Verdict(TrafficSplit canary, VersionFigures figures, GuardOptions options)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(options);
        if (canary.Percent <= 0 || canary.StoppedReason is not null || canary.StoppedAt is not null
            || figures.Outcomes < options.MinOutcomes)
        {
            return null;
        }

        var window = options.Window.ToString("c", CultureInfo.InvariantCulture);
        var reasons = new List<string>(2);
        var maxErrorRate = canary.MaxErrorRate ?? options.MaxErrorRate;
        if (figures.ErrorRate > maxErrorRate)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"error rate {figures.ErrorRate:0.###} over {figures.Outcomes} outcomes in the last {window} exceeds {maxErrorRate:0.###}"));
        }

        var maxP95 = canary.MaxP95Milliseconds ?? options.MaxP95Milliseconds;
        if (maxP95 is { } limit && figures.P95Milliseconds is { } p95 && p95 > limit)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"p95 inference {p95:0.#} ms over {figures.Outcomes} outcomes in the last {window} exceeds {limit:0.#} ms"));
        }

        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }
}
