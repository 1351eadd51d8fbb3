using Microsoft.AspNetCore.Http.HttpResults;
using Predictions.Storage.Hosting;

namespace Predictions.Gateway.Api;

/// <summary>
/// The results store failing a client's request: locked by another process, read-only, full or gone (the same
/// classification the store's consumers wait out, <see cref="StoreOutages.IsStoreUnavailable"/>), or silent for
/// <c>Gateway:StoreTimeout</c>. The client hears 503 and when to come back; the log gets one line, since the
/// store, not the gateway, is at fault.
/// </summary>
internal static class StoreOutage
{
    // A lock held by a backup or a shell, or a disk being cleared, seldom goes within a second or two.
    private const string RetryAfterSeconds = "5";

    /// <summary>
    /// True when <paramref name="exception"/> is the store's outage, or its time ran out while the client was still
    /// there (a cancellation that is not <paramref name="requestAborted"/>'s).
    /// </summary>
    public static bool Is(Exception exception, CancellationToken requestAborted) =>
        StoreOutages.IsStoreUnavailable(exception) || (exception is OperationCanceledException && !requestAborted.IsCancellationRequested);

    /// <summary>What went wrong, in a few words for the log.</summary>
    public static string Reason(Exception exception, TimeSpan storeTimeout) =>
        exception is OperationCanceledException
            ? $"the store did not answer within Gateway:StoreTimeout ({storeTimeout.TotalSeconds:0.#} s); another process may hold its lock"
            : exception.Message;

    /// <summary>A 503 problem of type <see cref="ProblemTypes.StoreUnavailable"/> with a Retry-After.</summary>
    public static ProblemHttpResult Problem(HttpContext http, string detail)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds;
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            type: ProblemTypes.StoreUnavailable,
            title: "The results store is unavailable",
            detail: detail);
    }
}
