using System.Globalization;
using Microsoft.Extensions.Options;

namespace Predictions.Worker.Inference;

/// <summary>
/// Says at start-up, as a warning, that this worker lets fault-injection settings crash it
/// (<c>Inference:AllowFaultInjection</c>): a test's setting copied into a real deployment shows in its log.
/// </summary>
public sealed class FaultInjectionWarning(IOptions<InferenceOptions> options, IHostEnvironment environment, ILogger<FaultInjectionWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var inference = options.Value;
        if (!inference.AllowFaultInjection)
        {
            return Task.CompletedTask;
        }

        if (inference.SimulatedCrashFeatureValue is { } crashValue)
        {
            logger.LogWarning(
                "Fault injection is allowed (Inference:AllowFaultInjection) in the {Environment} environment: a request with featureValue {CrashFeatureValue} (Inference:SimulatedCrashFeatureValue) crashes this worker. For fault tests only",
                environment.EnvironmentName, crashValue.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            logger.LogWarning(
                "Fault injection is allowed (Inference:AllowFaultInjection) in the {Environment} environment, though no fault is set. For fault tests only",
                environment.EnvironmentName);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
