using Predictions.Harness;
using Predictions.Worker.Models;
using Predictions.Worker.Models.Onnx;

namespace Predictions.Worker.Tests.Models.Onnx;

/// <summary>The models in the repository's <c>models/</c> folder, loaded as the worker loads them.</summary>
public static class ShippedModels
{
    public static string Folder { get; } = Path.Combine(Repository.Root, "models");

    public static readonly string[] ItemScorerFeatures = ["featureValue", "category", "price", "popularity"];

    public static OnnxModel Doubling(string? name = null, string? version = null) =>
        Load(new ModelOptions { Backend = ModelBackend.Onnx, Path = "doubling/2/model.onnx", Name = name, Version = version });

    public static OnnxModel ItemScorer() =>
        Load(new ModelOptions { Backend = ModelBackend.Onnx, Path = "item-scorer/1/model.onnx", Features = ItemScorerFeatures });

    public static OnnxModel Load(ModelOptions options) => OnnxModel.Load(options, Folder);
}
