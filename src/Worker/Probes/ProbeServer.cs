using System.Net;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Predictions.ServiceDefaults.Health;

namespace Predictions.Worker.Probes;

/// <summary>
/// A small HTTP listener beside the generic host for orchestrators' probes: <c>/health/live</c> (no receive
/// endpoint down for longer than <c>Health:MaxEndpointDowntime</c>) and <c>/health/ready</c> (every receive endpoint
/// consuming, inference pool running).
/// </summary>
public sealed class ProbeServer(HealthCheckService health, IOptions<ProbeOptions> options, ILogger<ProbeServer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://{options.Value.GetHost()}:{options.Value.GetPort()}/health/");
        listener.Start();
        logger.LogInformation("Probes listening on {Url}health/live, {Url}health/ready and {Url}metrics", options.Value.Url, options.Value.Url, options.Value.Url);
        using var stop = stoppingToken.Register(listener.Stop);

        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException && stoppingToken.IsCancellationRequested)
            {
                return;
            }

            _ = AnswerAsync(context, stoppingToken);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        using var response = context.Response;
        try
        {
            var tag = context.Request.Url?.AbsolutePath.TrimEnd('/') switch
            {
                "/health/live" => HealthExtensions.Live,
                "/health/ready" => HealthExtensions.Ready,
                _ => null,
            };
            var report = tag is null ? null : await health.CheckHealthAsync(check => check.Tags.Contains(tag), cancellationToken);

            response.StatusCode = report is null ? 404 : report.Status == HealthStatus.Unhealthy ? 503 : 200;
            response.ContentType = "text/plain";
            response.Headers["Cache-Control"] = "no-store, no-cache";
            await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(report is null ? "Not Found" : HealthReportText.Format(report)), cancellationToken);
        }
        catch (Exception ex) when (ex is HttpListenerException or OperationCanceledException or IOException)
        {
            logger.LogDebug(ex, "Probe request abandoned");
        }
    }
}
