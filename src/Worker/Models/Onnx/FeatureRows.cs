using System.Numerics;

namespace Predictions.Worker.Models.Onnx;

/// <summary>The model's input tensor: one row per input, its columns the <c>Model:Features</c> in order.</summary>
public static class FeatureRows
{
    public static T[] Build<T>(IReadOnlyList<ModelInput> inputs, IReadOnlyList<string> features)
        where T : unmanaged, INumberBase<T>
    {
        var rows = new T[inputs.Count * features.Count];
        for (var row = 0; row < inputs.Count; row++)
        {
            for (var column = 0; column < features.Count; column++)
            {
                rows[(row * features.Count) + column] = T.CreateTruncating(Value(inputs[row], features[column]));
            }
        }

        return rows;
    }

    private static double Value(ModelInput input, string feature)
    {
        if (feature == ModelOptions.FeatureValue)
        {
            return input.FeatureValue;
        }

        return input.Metadata.TryGetValue(feature, out var value) ? value : throw new MissingFeatureException(feature);
    }
}
