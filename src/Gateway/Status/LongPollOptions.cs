using System.ComponentModel.DataAnnotations;

namespace Predictions.Gateway.Status;

/// <summary>The long poll's setting in the <c>Gateway</c> section, which the HTTP API and the publisher share.</summary>
public sealed class LongPollOptions
{
    public const string Section = "Gateway";

    /// <summary>
    /// How often a waiting request reads the store again. An outcome this gateway consumes wakes its waiters at
    /// once; one consumed by another gateway sharing the store wakes nobody here, so it is seen at the next recheck.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.01", "00:10:00",
        ErrorMessage = "Gateway:LongPollRecheck must be a time span between 00:00:00.01 and 00:10:00.")]
    public TimeSpan LongPollRecheck { get; set; } = TimeSpan.FromSeconds(1);
}
