namespace Predictions.Worker.Models.Onnx;

/// <summary>An item lacks a metadata value that the model's input row needs: that prediction fails, the others go on.</summary>
public sealed class MissingFeatureException(string feature)
    : Exception($"the item has no metadata '{feature}', which Model:Features names as an input of the model")
{
    public string Feature { get; } = feature;
}
