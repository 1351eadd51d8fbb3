namespace Predictions.Gateway.Rollouts;

/// <summary>
/// One model version's outcomes in the guard's window: how many, how many failed, their share, and the p95 inference
/// time in milliseconds of the completed ones (null when none completed).
/// </summary>
public sealed record VersionFigures(int Outcomes, int Failed, double ErrorRate, double? P95Milliseconds)
{
    public static readonly VersionFigures None = new(0, 0, 0, null);
}
