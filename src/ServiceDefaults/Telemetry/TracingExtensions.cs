using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace Predictions.ServiceDefaults.Telemetry;

public static class TracingExtensions
{
    /// <summary>The activity source MassTransit traces its sends, publishes and consumes with.</summary>
    private const string MessagingSource = "MassTransit";

    /// <summary>
    /// One trace per prediction across hosts: ASP.NET Core's, HttpClient's and MassTransit's spans (which carry the
    /// trace through the broker) and our own, exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and
    /// sampled as <c>OTEL_TRACES_SAMPLER</c> says: parent-based by default, so a trace kept by the first host is kept
    /// whole by every other.
    /// </summary>
    public static IHostApplicationBuilder AddTracing(this IHostApplicationBuilder builder)
    {
        var export = TraceExport.From(builder.Configuration);
        builder.Services.AddSingleton(export);
        builder.Services.AddHostedService<TraceExportAnnouncement>();
        if (!export.IsOn)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(MessagingSource, PredictionTracing.SourceName)
            .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = http => !IsProbeOrScrape(http.Request.Path))
            .AddHttpClientInstrumentation()
            .AddProcessor<PredictionIdProcessor>()
            .AddOtlpExporter());
        return builder;
    }

    private static bool IsProbeOrScrape(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");
}
