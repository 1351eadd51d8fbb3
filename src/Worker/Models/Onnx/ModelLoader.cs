namespace Predictions.Worker.Models.Onnx;

/// <summary>
/// Takes the model in its constructor so that the host loads it while starting (a broken file stops the
/// worker there, with a message naming the setting) and says which model this worker serves.
/// </summary>
public sealed class ModelLoader(OnnxModel model, ILogger<ModelLoader> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation(
            "Model {ModelName} version {ModelVersion} loaded from {ModelPath}: input {Input} takes [{Features}], output {Output}; "
            + "batches: {SupportsBatching}",
            model.Identity.Name, model.Identity.Version, model.Path, model.Signature.InputName,
            string.Join(", ", model.Signature.Features), model.Signature.OutputName, model.SupportsBatching);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
