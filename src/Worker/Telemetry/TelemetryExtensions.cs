using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Worker.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>The worker's own instruments, reported as <c>prediction-worker</c> beside the shared meters.</summary>
    public static IHostApplicationBuilder AddWorkerTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WorkerMetrics>();
        builder.AddMetrics("prediction-worker", WorkerMetrics.MeterName);
        return builder;
    }
}
