using System.Diagnostics;
using OpenTelemetry;

namespace Predictions.ServiceDefaults.Telemetry;

/// <summary>
/// Gives MassTransit's spans the prediction id their in-process parent carries: the consume filter tags the receive
/// span, and the process and publish spans MassTransit starts under it get it here, so any of them finds the prediction.
/// </summary>
public sealed class PredictionIdProcessor : BaseProcessor<Activity>
{
    public override void OnStart(Activity data)
    {
        if (data.GetTagItem(PredictionTracing.PredictionIdTag) is null
            && data.Parent?.GetTagItem(PredictionTracing.PredictionIdTag) is { } predictionId)
        {
            data.SetTag(PredictionTracing.PredictionIdTag, predictionId);
        }
    }
}
