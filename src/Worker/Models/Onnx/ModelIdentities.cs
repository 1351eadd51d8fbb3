using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Predictions.Contracts;

namespace Predictions.Worker.Models.Onnx;

/// <summary>The name and version reported with each prediction: from the settings, else from the model file.</summary>
public static class ModelIdentities
{
    public static ModelIdentity Resolve(ModelOptions options, ModelMetadata metadata, string path)
    {
        var custom = metadata.CustomMetadataMap;
        var name = options.Name
            ?? NonBlank(custom.GetValueOrDefault("name"))
            ?? NonBlank(metadata.GraphName)
            ?? System.IO.Path.GetFileNameWithoutExtension(path);

        // Without a version in the file, its content stands in: two different files never share one.
        var version = options.Version
            ?? NonBlank(custom.GetValueOrDefault("version"))
            ?? (metadata.Version != 0 ? $"{metadata.Version}" : null)
            ?? $"sha256:{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))[..12]}";

        return new ModelIdentity { Name = name, Version = version };
    }

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
