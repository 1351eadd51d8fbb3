using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Predictions.Contracts;
using Predictions.Messaging.Requests;

namespace Predictions.Gateway.Api;

/// <summary>
/// Reads and checks <c>POST /predictions</c>: its body, then <c>?wait=</c>, then its <c>Idempotency-Key</c>. Every
/// rejection is a problem details response that names the field at fault; nothing rejected here is ever published.
/// </summary>
public static class SubmissionReader
{
    /// <summary>The request as the client sent it (no id, no time of submission yet), and what the parameters asked.</summary>
    public sealed record Submission(PredictionRequest Request, TimeSpan Wait, string? IdempotencyKey);

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
        PredictionRequestValidator.CheckSubmission(body, now, errors);
        if (errors.Count > 0)
        {
            return (null, null, RequestParameters.Invalid(errors));
        }

        var (wait, badWait) = RequestParameters.Wait(request, options);
        var (key, badKey) = RequestParameters.IdempotencyKey(request);
        return (badWait ?? badKey) is { } invalid
            ? (null, null, invalid)
            : (new Submission(body.Request!, wait, key), null, null);
    }

    private static ProblemHttpResult TooLarge(GatewayOptions options) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body may be at most {options.MaxRequestBodyBytes} bytes.");
}
