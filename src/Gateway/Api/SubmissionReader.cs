using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Predictions.Messaging.Requests;

namespace Predictions.Gateway.Api;

/// <summary>
/// Reads and checks <c>POST /predictions</c>: its body, then <c>?wait=</c>, then its <c>Idempotency-Key</c>. Every
/// rejection is a problem details response that names the field at fault; nothing rejected here is ever published.
/// </summary>
public static class SubmissionReader
{
    public sealed record Submission(long ItemId, double FeatureValue, DateTimeOffset? Deadline, TimeSpan Wait, string? IdempotencyKey);

    /// <summary>
    /// The submission; else why not: <c>Unreadable</c> when the body is not JSON or too large, <c>Invalid</c> (400,
    /// naming the fields at fault) when a field of the body, or else a parameter, is wrong.
    /// </summary>
    public static async Task<(Submission? Submission, ProblemHttpResult? Unreadable, ValidationProblem? Invalid)> ReadAsync(
        HttpRequest request, GatewayOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: "Send the prediction as JSON with the header 'Content-Type: application/json'."), null);
        }

        if (request.ContentLength > options.MaxRequestBodyBytes)
        {
            return (null, TooLarge(options), null);
        }

        var sizeLimit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeLimit is { IsReadOnly: false })
        {
            sizeLimit.MaxRequestBodySize = options.MaxRequestBodyBytes;
        }

        PredictionRequestJson.Result body;
        try
        {
            body = await PredictionRequestJson.ReadAsync(request.Body, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(options), null);
        }

        var errors = new Dictionary<string, string[]>(body.Errors);
        if (body.PredictionId is not null)
        {
            errors[PredictionRequestJson.PredictionId] = ["is chosen by the gateway; to retry safely, send an Idempotency-Key header instead."];
        }

        if (body.Deadline <= now)
        {
            errors[PredictionRequestJson.Deadline] = [$"has already passed (it is {now:O} here): give the latest moment inference may start, in the future."];
        }

        if (errors.Count > 0)
        {
            return (null, null, RequestParameters.Invalid(errors));
        }

        var (wait, badWait) = RequestParameters.Wait(request, options);
        var (key, badKey) = RequestParameters.IdempotencyKey(request);
        return (badWait ?? badKey) is { } invalid
            ? (null, null, invalid)
            : (new Submission(body.ItemId, body.FeatureValue, body.Deadline, wait, key), null, null);
    }

    private static ProblemHttpResult TooLarge(GatewayOptions options) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body may be at most {options.MaxRequestBodyBytes} bytes.");
}
