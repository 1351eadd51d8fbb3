using System.Globalization;
using Microsoft.Extensions.Options;

namespace Predictions.Worker.Models;

/// <summary>
/// Says at start-up, as a warning, that this worker lets fault-injection settings crash it
/// (<c>Model:AllowFaultInjection</c>): a test's setting copied into a real deployment shows in its log.
/// </summary>
public sealed class FaultInjectionWarning(
    IOptions<ModelOptions> options, IHostEnvironment environment, ILogger<FaultInjectionWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var model = options.Value;
        if (!model.AllowFaultInjection)
        {
            return Task.CompletedTask;
        }

        if (model.SimulatedCrashFeatureValue is { } crashValue)
        {
            logger.LogWarning(
                "Fault injection is allowed (Model:AllowFaultInjection) in the {Environment} environment: "
                + "a request with featureValue {CrashFeatureValue} (Model:SimulatedCrashFeatureValue) crashes this worker. For fault tests only",
                environment.EnvironmentName, crashValue.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            logger.LogWarning(
                "Fault injection is allowed (Model:AllowFaultInjection) in the {Environment} environment, though no fault is set. "
                + "For fault tests only",
                environment.EnvironmentName);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
