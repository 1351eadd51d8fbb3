using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Predictions.Worker.Metadata;

public static class MetadataExtensions
{
    /// <summary>The source the worker awaits item metadata from (<c>Metadata:Source</c>).</summary>
    public static IHostApplicationBuilder AddMetadata(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<MetadataOptions>, MetadataOptionsValidator>();
        builder.Services.AddOptions<MetadataOptions>()
            .BindConfiguration(MetadataOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FailingItems>();
        builder.Services.AddTransient<MetadataWait>();

        var source = builder.Configuration.GetSection(MetadataOptions.Section).GetValue<MetadataSourceKind?>(nameof(MetadataOptions.Source));
        if (source == MetadataSourceKind.Http)
        {
            builder.AddHttpMetadata();
        }
        else
        {
            builder.Services.AddSingleton<IMetadataSource, SimulatedMetadataSource>();
        }

        return builder;
    }

    private static void AddHttpMetadata(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHybridCache();
        builder.Services.AddSingleton<MetadataServiceHealth>();

        // RemoveAllResilienceHandlers is still marked for evaluation; it is the documented way to replace a default handler.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<IMetadataSource, HttpMetadataSource>((services, http) =>
            {
                var baseUrl = services.GetRequiredService<IOptions<MetadataOptions>>().Value.BaseUrl!.ToString();

                // "http://host/api" would resolve "items/1" to "http://host/items/1": keep the path.
                http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
                http.Timeout = Timeout.InfiniteTimeSpan;
            })

            // Its own pipeline, driven by Metadata:*, replaces the service defaults' standard handler instead of
            // nesting in it: nested, every retry here would be retried again out there, and the outer 30 s total
            // timeout would cut off the attempts that Metadata:AttemptTimeout and Metadata:Retries allow.
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider services) =>
            {
                var metadata = services.GetRequiredService<IOptions<MetadataOptions>>().Value;
                var attempt = metadata.AttemptTimeout;
                resilience.AttemptTimeout.Timeout = attempt;
                resilience.Retry.MaxRetryAttempts = metadata.Retries;
                resilience.Retry.Delay = metadata.RetryDelay;
                resilience.Retry.UseJitter = true;
                resilience.TotalRequestTimeout.Timeout = (attempt * (metadata.Retries + 1)) + TimeSpan.FromSeconds(10);
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, 2 * attempt.Ticks));

                // Half of 20 or more calls failing means the service is down: stop calling it for a few
                // seconds (requests wait in the meantime) instead of piling retries onto it. A 500 is the
                // service's error for one item (a bad row), not its being down: items that fail so must not
                // close it to every other item.
                resilience.CircuitBreaker.MinimumThroughput = 20;
                resilience.CircuitBreaker.FailureRatio = 0.5;
                resilience.CircuitBreaker.ShouldHandle = attempt => ValueTask.FromResult(
                    HttpClientResiliencePredicates.IsTransient(attempt.Outcome)
                    && attempt.Outcome.Result?.StatusCode != HttpStatusCode.InternalServerError);
            });

        // What tells the service's being down from an item it keeps failing: one plain attempt, outside the retries
        // and the circuit breaker, which an item's failures may have opened.
        builder.Services.AddHttpClient(MetadataServiceHealth.ProbeClient, (services, http) =>
            {
                var metadata = services.GetRequiredService<IOptions<MetadataOptions>>().Value;
                var baseUrl = metadata.BaseUrl!.ToString();
                http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
                http.Timeout = metadata.AttemptTimeout;
            })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
