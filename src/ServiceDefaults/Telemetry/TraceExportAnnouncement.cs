using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Predictions.ServiceDefaults.Telemetry;

/// <summary>Says at start-up whether this host exports traces, and where, so an operator missing traces sees why.</summary>
public sealed class TraceExportAnnouncement(TraceExport export, ILogger<TraceExport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (export.IsOn)
        {
            logger.LogInformation(
                "Tracing on: exporting to {Endpoint} over {Protocol}, sampler {Sampler}", export.Endpoint, export.Protocol, export.Sampler);
        }
        else
        {
            logger.LogInformation("Tracing off: {Setting} is not set", TraceExport.EndpointSetting);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
