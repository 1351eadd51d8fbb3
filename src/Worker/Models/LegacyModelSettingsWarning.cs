namespace Predictions.Worker.Models;

/// <summary>
/// Names at start-up, as a warning, each simulated-model setting given by its old <c>Inference:</c> key
/// (<see cref="LegacyModelSettings"/>) and the <c>Model:</c> key to set instead.
/// </summary>
public sealed class LegacyModelSettingsWarning(IConfiguration configuration, ILogger<LegacyModelSettingsWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var name in LegacyModelSettings.SetByOldKey(configuration))
        {
            logger.LogWarning(
                "The setting {OldKey} is now {NewKey}: rename it (the old name still takes effect)",
                LegacyModelSettings.OldKey(name), LegacyModelSettings.NewKey(name));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
