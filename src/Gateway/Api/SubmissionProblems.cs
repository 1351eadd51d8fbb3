using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Predictions.Gateway.Routing;
using Predictions.Messaging.Broker;

namespace Predictions.Gateway.Api;

/// <summary>
/// The problems a submission that was read and checked may still be answered with, each with the Retry-After it
/// needs: an Idempotency-Key that stands for another request or is busy, a full work queue, a broker that refuses the
/// request or the gateway, a silent broker.
/// </summary>
internal static class SubmissionProblems
{
    public static ProblemHttpResult KeyReused(Guid existing) => TypedResults.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Idempotency-Key reused for a different request",
        detail: $"This key already submitted prediction {existing} with a different itemId or featureValue. Use a new key for a new request.");

    public static ProblemHttpResult KeyInProgress(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "A request with this Idempotency-Key is in progress",
            detail: "Retry in a moment to get its outcome.");
    }

    /// <summary>The work queue is at <c>WorkQueue:MaxLength</c> and RabbitMQ refused the message: nothing was stored.</summary>
    public static ProblemHttpResult WorkQueueFull(HttpContext http, int maxLength, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            type: ProblemTypes.WorkQueueFull,
            title: "Too many predictions are waiting",
            detail: $"The work queue is full ({maxLength} requests waiting); the request was not stored. Submit it again after Retry-After.");
    }

    /// <summary>The lane's queue is at <c>WorkQueue:MaxLength</c>: the other models' lanes may still have room.</summary>
    public static ProblemHttpResult LaneFull(HttpContext http, ModelRouting.Lane lane, int maxLength, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            type: ProblemTypes.WorkQueueFull,
            title: "Too many predictions are waiting for this model",
            detail: $"The lane of model {lane.Model.Name}:{lane.Model.Version} is full ({maxLength} requests waiting in {lane.Queue}); "
                + "the request was not stored. Submit it again after Retry-After.");
    }

    /// <summary>The model version is known, but no worker serves it: never loaded, or unloaded.</summary>
    public static ProblemHttpResult ModelNotServed(string reason) => TypedResults.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        type: ProblemTypes.ModelNotServed,
        title: "No worker serves this model",
        detail: $"{char.ToUpperInvariant(reason[0])}{reason[1..]}; the request was not stored.",
        extensions: new Dictionary<string, object?>
        {
            ["errors"] = new Dictionary<string, string[]>
            {
                ["model"] = [$"{reason}: name another version, or the model alone."],
            },
        });

    /// <summary>The broker refused the request while the work queue had room: nothing was stored.</summary>
    public static ProblemHttpResult BrokerRefused(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The message broker is unavailable",
            detail: "The broker refused the request, as its work queue does while it elects a new leader: "
                + "it was not stored and will not be computed. Submit it again after Retry-After.",
            type: ProblemTypes.BrokerRefused);
    }

    /// <summary>
    /// The broker refuses this gateway's declaration or its publishes, for its settings or its permissions: nothing was
    /// published. Not an outage, yet perhaps mended soon (an operator, another gateway), so 503 rather than 500.
    /// </summary>
    public static ProblemHttpResult PublisherRefused(HttpContext http, BrokerRefusal refusal)
    {
        http.Response.Headers.RetryAfter = "10";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The message broker refuses this gateway's submissions",
            detail: "The broker refuses this gateway's submissions, a matter of its settings or its permissions for an operator to fix, "
                + "not an outage: the request was not published, so it was not stored and will not be computed. "
                + $"Submit it again after Retry-After. The broker said: {refusal.ReplyText}",
            type: ProblemTypes.PublisherRefused);
    }

    /// <summary>The broker did not confirm within <c>Gateway:PublishTimeout</c>: the request may or may not be stored.</summary>
    public static ProblemHttpResult BrokerUnavailable(HttpContext http, TimeSpan publishTimeout)
    {
        http.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The message broker is unavailable",
            detail: $"The broker did not confirm the request within {publishTimeout.TotalSeconds:0.#} s, so it may not have been stored. "
                + "Submit it again; with an Idempotency-Key the retry is safe either way.");
    }
}
