using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Predictions.Worker.Probes;

public static class ProbeExtensions
{
    /// <summary>Health probes and Prometheus metrics on one small HTTP listener (<c>Probes:Url</c>).</summary>
    public static IHostApplicationBuilder AddProbes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProbeOptions>()
            .BindConfiguration(ProbeOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddHostedService<ProbeServer>();

        // Read through IOptions so that a bad Probes:Url fails with the validation message, whoever asks first.
        builder.Services.AddOptions<PrometheusHttpListenerOptions>().Configure<IOptions<ProbeOptions>>((listener, probes) =>
        {
            listener.Host = probes.Value.GetHost();
            listener.Port = probes.Value.GetPort();
        });
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusHttpListener());
        return builder;
    }
}
