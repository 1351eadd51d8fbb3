using Microsoft.AspNetCore.Http.Features;
using Predictions.ServiceDefaults.Requests;

namespace Predictions.Gateway.Api;

/// <summary>
/// Reads and checks the body of <c>POST /predictions</c>. Every rejection is a problem details
/// response that names the field at fault; nothing rejected here is ever published.
/// </summary>
public static class SubmissionReader
{
    public sealed record Submission(long ItemId, double FeatureValue, DateTimeOffset? Deadline);

    /// <summary>The submission, or the problem to answer with.</summary>
    public static async Task<(Submission? Submission, IResult? Problem)> ReadAsync(HttpRequest request, GatewayOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: "Send the prediction as JSON with the header 'Content-Type: application/json'."));
        }

        if (request.ContentLength > options.MaxRequestBodyBytes)
        {
            return (null, TooLarge(options));
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
            return (null, TooLarge(options));
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

        return errors.Count > 0
            ? (null, Results.ValidationProblem(errors, title: "The prediction request is invalid."))
            : (new Submission(body.ItemId, body.FeatureValue, body.Deadline), null);
    }

    private static IResult TooLarge(GatewayOptions options) => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body may be at most {options.MaxRequestBodyBytes} bytes.");
}
