namespace Predictions.Integration.Tests.Infrastructure;

public static class Settings
{
    /// <summary>The lesson's costs shrunk tenfold: the same shape, a faster suite.</summary>
    public static readonly IReadOnlyDictionary<string, string> QuickModel = new Dictionary<string, string>
    {
        ["Metadata:SimulatedLatency"] = "00:00:00.05",
        ["Inference:SimulatedCost"] = "00:00:00.1",
    };
}
