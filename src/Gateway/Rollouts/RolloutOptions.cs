using System.ComponentModel.DataAnnotations;

namespace Predictions.Gateway.Rollouts;

/// <summary><c>Rollouts</c>: how often the gateways announce the rollout state to every host.</summary>
public sealed class RolloutOptions
{
    public const string Section = "Rollouts";

    /// <summary>
    /// How often the state is announced besides each change: a host that missed a change, or just started, has it within
    /// one interval; the workers answer each with their readiness, and one silent for three intervals is forgotten.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Rollouts:AnnounceInterval must be between 00:00:00.100 and 00:10:00.")]
    public TimeSpan AnnounceInterval { get; set; } = TimeSpan.FromSeconds(5);
}
