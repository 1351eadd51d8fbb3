namespace Predictions.ServiceDefaults.Resilience;

/// <summary>
/// One named retry policy (<c>Retries:{name}</c>): the pauses between tries. A policy that retries until something
/// else ends it (a deadline, the host stopping) repeats its last pause (<see cref="Pause"/>).
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>The pause before each retry, in order: as many retries as pauses.</summary>
    public TimeSpan[] Intervals { get; set; } = [];

    /// <summary>The pause after try <paramref name="retry"/> + 1 failed; past the list, its last pause.</summary>
    public TimeSpan Pause(int retry) => Intervals[Math.Min(retry, Intervals.Length - 1)];
}
