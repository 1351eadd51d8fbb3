using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Gateway.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// The gateway's own instruments and ASP.NET Core's (HTTP requests, connections, rate limiting), reported
    /// as <c>prediction-gateway</c> beside the shared meters.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.AddMetrics("prediction-gateway", GatewayMetrics.MeterName,
            "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting");
        return builder;
    }
}
