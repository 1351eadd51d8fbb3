using System.ComponentModel.DataAnnotations;

namespace Predictions.Gateway.Rollouts;

/// <summary>The canary guard's settings in the <c>Rollouts:Guard</c> section.</summary>
public sealed class GuardOptions
{
    public const string Section = "Rollouts:Guard";

    /// <summary>How far back the figures of a version reach: long enough to smooth bursts, short enough to react.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Rollouts:Guard:Window must be a time span between 00:00:01 and 01:00:00.")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many outcomes the window must hold before the guard judges: a handful of failures proves nothing.</summary>
    [Range(1, 100_000, ErrorMessage = "Rollouts:Guard:MinOutcomes must be between 1 and 100000.")]
    public int MinOutcomes { get; set; } = 20;

    /// <summary>The share of failed outcomes above which a canary without a limit of its own is stopped.</summary>
    [Range(0d, 1d, MinimumIsExclusive = true,
        ErrorMessage = "Rollouts:Guard:MaxErrorRate must be greater than 0 and at most 1.")]
    public double MaxErrorRate { get; set; } = 0.2;

    /// <summary>
    /// The p95 inference time in milliseconds above which a canary without a limit of its own is stopped; null: no
    /// latency limit.
    /// </summary>
    [Range(0d, 3_600_000d, MinimumIsExclusive = true,
        ErrorMessage = "Rollouts:Guard:MaxP95Milliseconds must be greater than 0 and at most 3600000 when set.")]
    public double? MaxP95Milliseconds { get; set; }
}
