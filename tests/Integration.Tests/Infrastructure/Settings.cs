namespace Predictions.Integration.Tests.Infrastructure;

public static class Settings
{
    public const string AliceKey = "alice-key-0123456789abcdef";
    public const string BobKey = "bob-key-0123456789abcdef";

    /// <summary>The lesson's costs shrunk tenfold: the same shape, a faster suite.</summary>
    public static readonly IReadOnlyDictionary<string, string> QuickModel = new Dictionary<string, string>
    {
        ["Metadata:SimulatedLatency"] = "00:00:00.05",
        ["Inference:SimulatedCost"] = "00:00:00.1",
    };

    /// <summary>API keys on, for two clients: alice and bob.</summary>
    public static readonly IReadOnlyDictionary<string, string> TwoApiKeys = new Dictionary<string, string>
    {
        ["Auth:ApiKeys:0:Name"] = "alice",
        ["Auth:ApiKeys:0:Key"] = AliceKey,
        ["Auth:ApiKeys:1:Name"] = "bob",
        ["Auth:ApiKeys:1:Key"] = BobKey,
    };
}
