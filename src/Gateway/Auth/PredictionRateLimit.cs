using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Predictions.Gateway.Telemetry;

namespace Predictions.Gateway.Auth;

/// <summary>
/// A token bucket per API key for the prediction endpoints. Requests over the rate get 429 problem details
/// with a <c>Retry-After</c>; their <c>type</c> tells them apart from the 429 of a full work queue.
/// </summary>
public static class PredictionRateLimit
{
    public const string Policy = "per-api-key";

    /// <summary>The <c>type</c> of its 429s (<see cref="Api.ProblemTypes"/> lists every type).</summary>
    public const string ProblemType = "tag:predictions.gateway,2026:rate-limited";

    public static void Configure(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = RejectAsync;
        options.AddPolicy(Policy, Partition);
    }

    private static RateLimitPartition<string> Partition(HttpContext http)
    {
        // Keys off: one anonymous client, which only the work queue's limit holds back.
        if (http.User.ApiKeyName() is not { } name)
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        var limits = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        return RateLimitPartition.GetTokenBucketLimiter(name, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.Burst,
            TokensPerPeriod = limits.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var limits = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (HttpMethods.IsPost(http.Request.Method))
        {
            http.RequestServices.GetRequiredService<GatewayMetrics>().Submission("rate_limited");
        }

        await Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            type: ProblemType,
            title: "Too many requests for this API key",
            detail: $"API key '{http.User.ApiKeyName()}' may make {limits.PermitsPerSecond} requests per second, "
                + $"in bursts of up to {limits.Burst}. Retry after {seconds} s.")
            .ExecuteAsync(http);
    }
}
