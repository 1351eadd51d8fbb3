using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Predictions.ServiceDefaults.Health;

public static class HealthExtensions
{
    /// <summary>Checks tagged for the readiness probe.</summary>
    public const string Ready = "ready";

    /// <summary>Checks tagged for the liveness probe.</summary>
    public const string Live = "live";

    /// <summary>
    /// <c>/health/live</c> and <c>/health/ready</c>, each running the checks with its tag: <c>200</c> or
    /// <c>503</c>, with the report as plain text.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthProbes(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", Probe(Live));
        app.MapHealthChecks("/health/ready", Probe(Ready));
        return app;
    }

    private static HealthCheckOptions Probe(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = (context, report) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(HealthReportText.Format(report));
        },
    };
}
