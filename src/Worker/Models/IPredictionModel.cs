using Predictions.Contracts;

namespace Predictions.Worker.Models;

/// <summary>
/// A model. <see cref="Predict"/> may block and burn CPU: it only ever runs on an
/// <see cref="Inference.InferencePool"/> thread, never on the thread pool.
/// </summary>
public interface IPredictionModel
{
    /// <summary>Reported with every prediction the model makes.</summary>
    ModelIdentity Identity { get; }

    /// <summary>Whether one call may take several inputs; a model that cannot is only ever given one.</summary>
    bool SupportsBatching { get; }

    /// <summary>One prediction per input, in the inputs' order.</summary>
    IReadOnlyList<double> Predict(IReadOnlyList<ModelInput> inputs);
}
