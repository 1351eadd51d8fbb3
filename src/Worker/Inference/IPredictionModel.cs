namespace Predictions.Worker.Inference;

/// <summary>
/// A model. <see cref="Predict"/> may block and burn CPU: it only ever runs on an
/// <see cref="InferencePool"/> thread, never on the thread pool.
/// </summary>
public interface IPredictionModel
{
    double Predict(ModelInput input);
}
