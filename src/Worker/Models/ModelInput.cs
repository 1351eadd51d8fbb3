namespace Predictions.Worker.Models;

/// <summary>What a model sees of one request: the client's feature and the item's metadata.</summary>
public sealed record ModelInput(double FeatureValue, IReadOnlyDictionary<string, double> Metadata);
