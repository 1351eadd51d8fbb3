using System.Globalization;

using Predictions.Worker.Models.Onnx;

namespace Predictions.Worker.Lanes;

/// <summary>
/// Takes the lanes in its constructor so that the host loads every model while starting (a broken file or manifest
/// stops the worker there, with a message naming it) and says which models this worker serves.
/// </summary>
public sealed class ModelLoader(ServedLanes lanes, ILogger<ModelLoader> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var lane in lanes.All)
        {
            if (lane.Model is OnnxModel onnx)
            {
                logger.LogInformation(
                    "Model {ModelName} version {ModelVersion} loaded from {ModelPath}: input {Input} takes [{Features}], output {Output}; "
                    + "batches: {SupportsBatching}",
                    onnx.Identity.Name, onnx.Identity.Version, onnx.Path, onnx.Signature.InputName,
                    string.Join(", ", onnx.Signature.Features), onnx.Signature.OutputName, onnx.SupportsBatching);
            }

            logger.LogInformation(
                "Serving model {ModelName} version {ModelVersion} from queue {Queue}: batches of up to {MaxBatchSize}, share {Share}",
                lane.Identity.Name,
                lane.Identity.Version,
                lane.Queue,
                lane.MaxBatchSize?.ToString(CultureInfo.InvariantCulture) ?? "Inference:MaxBatchSize",
                lane.Share);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
