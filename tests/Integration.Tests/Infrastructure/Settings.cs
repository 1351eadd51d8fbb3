namespace Predictions.Integration.Tests.Infrastructure;

public static class Settings
{
    public const string AliceKey = "alice-key-0123456789abcdef";
    public const string BobKey = "bob-key-0123456789abcdef";

    /// <summary>The lesson's costs shrunk tenfold: the same shape, a faster suite.</summary>
    public static readonly IReadOnlyDictionary<string, string> QuickModel = new Dictionary<string, string>
    {
        ["Metadata:SimulatedLatency"] = "00:00:00.05",
        ["Model:SimulatedCost"] = "00:00:00.1",
    };

    /// <summary>The worker serving <c>models/item-scorer/1/model.onnx</c> over the item's features, with quick simulated metadata.</summary>
    public static readonly IReadOnlyDictionary<string, string> ItemScorer = new Dictionary<string, string>
    {
        ["Model:Backend"] = "Onnx",
        ["Model:Path"] = "models/item-scorer/1/model.onnx",
        ["Model:Features:0"] = "featureValue",
        ["Model:Features:1"] = "category",
        ["Model:Features:2"] = "price",
        ["Model:Features:3"] = "popularity",
        ["Metadata:SimulatedLatency"] = "00:00:00.05",
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
