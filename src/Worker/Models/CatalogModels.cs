using System.Security.Cryptography;
using Predictions.Messaging.Catalog;
using Predictions.Worker.Models.Onnx;

namespace Predictions.Worker.Models;

/// <summary>Loads a catalog entry as the model the inference pool runs.</summary>
public static class CatalogModels
{
    /// <summary>
    /// The model of <paramref name="entry"/>; an ONNX file is checked against its manifest's checksum first. The
    /// fault-injection settings of <paramref name="settings"/> apply to simulated models, as without a catalog.
    /// </summary>
    public static IPredictionModel Load(ModelCatalog.Entry entry, ModelOptions settings)
    {
        var manifest = entry.Manifest;
        if (manifest.IsSimulated)
        {
            return new SimulatedModel(entry.Identity, new ModelOptions
            {
                SimulatedCost = manifest.Cost,
                SimulatedCostKind = Enum.Parse<SimulatedCostKind>(manifest.CostKind),
                SimulatedCrashFeatureValue = settings.SimulatedCrashFeatureValue,
                AllowFaultInjection = settings.AllowFaultInjection,
            }, manifest.Factor);
        }

        var path = Path.Combine(entry.Folder, manifest.File!);
        if (!File.Exists(path))
        {
            throw new InvalidModelException($"Model {entry.Identity.Name}:{entry.Identity.Version}: there is no model file at {path}.");
        }

        using (var file = File.OpenRead(path))
        {
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(file));
            if (!string.Equals(sha256, manifest.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidModelException(
                    $"Model {entry.Identity.Name}:{entry.Identity.Version}: {path} has SHA-256 {sha256}, but its manifest says {manifest.Sha256}: "
                    + "a registered version never changes; register the new file as a new version.");
            }
        }

        return OnnxModel.Load(new ModelOptions
        {
            Backend = ModelBackend.Onnx,
            Path = path,
            InputName = manifest.Input,
            OutputName = manifest.Output,
            Features = manifest.Features?.ToList(),
            Name = entry.Identity.Name,
            Version = entry.Identity.Version,
        }, entry.Folder);
    }
}
