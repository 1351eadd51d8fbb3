using System.Text.Json.Serialization;

namespace Predictions.Messaging.Catalog;

/// <summary>
/// <c>models/{name}/{version}/manifest.json</c>: how to run one model version (docs/models.md). A version's folder is
/// immutable once registered: a changed model is a new version.
/// </summary>
public sealed record ModelManifest
{
    /// <summary><c>Onnx</c> (a model file) or <c>Simulated</c> (the tutorial's model: <c>Factor</c> × featureValue after <c>Cost</c>).</summary>
    public required string Backend { get; init; }

    public string? Description { get; init; }

    /// <summary>For <c>Onnx</c>: the model file, in the version's folder.</summary>
    public string? File { get; init; }

    /// <summary>For <c>Onnx</c>: the file's SHA-256, in hex; a file that does not match is never served.</summary>
    public string? Sha256 { get; init; }

    /// <summary>For <c>Onnx</c>: the input fed the feature rows; may be left out when the model has one.</summary>
    public string? Input { get; init; }

    /// <summary>For <c>Onnx</c>: the output read; may be left out when the model has one.</summary>
    public string? Output { get; init; }

    /// <summary>For <c>Onnx</c>: the features of one input row, in order: <c>featureValue</c> or item metadata keys.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Inputs one model call may take (the lane's batcher): 1 unless the model can batch.</summary>
    public int MaxBatchSize { get; init; } = 1;

    /// <summary>For <c>Simulated</c>: its answer is <c>Factor × featureValue</c>.</summary>
    public double Factor { get; init; } = 2;

    /// <summary>For <c>Simulated</c>: the blocking time of one call.</summary>
    public TimeSpan Cost { get; init; }

    /// <summary>For <c>Simulated</c>: <c>Sleep</c> holds the thread idle, <c>Cpu</c> computes on a core.</summary>
    public string CostKind { get; init; } = "Sleep";

    [JsonIgnore]
    public bool IsOnnx => string.Equals(Backend, "Onnx", StringComparison.OrdinalIgnoreCase);

    [JsonIgnore]
    public bool IsSimulated => string.Equals(Backend, "Simulated", StringComparison.OrdinalIgnoreCase);

    /// <summary>What makes the manifest unusable, or null.</summary>
    public string? Problem()
    {
        if (!IsOnnx && !IsSimulated)
        {
            return $"backend is '{Backend}'; it must be Onnx or Simulated.";
        }

        if (MaxBatchSize is < 1 or > 1024)
        {
            return $"maxBatchSize is {MaxBatchSize}; it must be between 1 and 1024.";
        }

        if (IsOnnx && (string.IsNullOrWhiteSpace(File) || File.Contains('/') || File.Contains('\\')))
        {
            return "an Onnx model needs file: the model file's name, in the version's folder.";
        }

        if (IsOnnx && (Sha256 is not { Length: 64 } || !Sha256.All(char.IsAsciiHexDigit)))
        {
            return "an Onnx model needs sha256: the model file's SHA-256 in hex (sha256sum prints it).";
        }

        if (IsSimulated && (Cost < TimeSpan.Zero || Cost > TimeSpan.FromHours(1) || !double.IsFinite(Factor)))
        {
            return "a Simulated model needs a cost between 00:00:00 and 01:00:00 and a finite factor.";
        }

        if (IsSimulated && CostKind is not ("Sleep" or "Cpu"))
        {
            return $"costKind is '{CostKind}'; it must be Sleep or Cpu.";
        }

        return Features?.Any(string.IsNullOrWhiteSpace) == true ? "features must list non-empty names." : null;
    }
}
