using Microsoft.Extensions.Options;

namespace Predictions.Worker.Inference;

/// <summary>
/// The lesson's model: <c>prediction = 2 × featureValue</c>, after <c>Inference:SimulatedCost</c> of
/// blocking work, standing in for a model whose call holds its thread.
/// </summary>
public sealed class SimulatedModel(IOptions<InferenceOptions> options) : IPredictionModel
{
    private readonly TimeSpan _cost = options.Value.SimulatedCost;

    public double Predict(ModelInput input)
    {
        if (_cost > TimeSpan.Zero)
        {
            Thread.Sleep(_cost);
        }

        return 2 * input.FeatureValue;
    }
}
