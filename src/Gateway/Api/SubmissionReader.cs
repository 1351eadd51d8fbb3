using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Predictions.Gateway.Api;

/// <summary>
/// Reads and checks the body of <c>POST /predictions</c>. Every rejection is a problem details
/// response that names the field at fault; nothing rejected here is ever published.
/// </summary>
public static class SubmissionReader
{
    private const string ItemId = "itemId";
    private const string FeatureValue = "featureValue";
    private const string Body = "body";

    // Strict: numbers must be JSON numbers ("5" and "NaN" are not), no duplicate keys, shallow documents only.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        AllowDuplicateProperties = false,
        MaxDepth = 8,
    };

    public sealed record Submission(long ItemId, double FeatureValue);

    /// <summary>The submission, or the problem to answer with.</summary>
    public static async Task<(Submission? Submission, IResult? Problem)> ReadAsync(HttpRequest request, GatewayOptions options, CancellationToken cancellationToken)
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

        SubmitPredictionBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<SubmitPredictionBody>(request.Body, Json, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(options));
        }
        catch (JsonException ex)
        {
            return (null, Invalid(FieldOf(ex.Path), MessageFor(FieldOf(ex.Path), ex)));
        }

        if (body is null)
        {
            return (null, Invalid(Body, "must be a JSON object with itemId and featureValue."));
        }

        var errors = new Dictionary<string, string[]>();
        if (body.ItemId is null)
        {
            errors[ItemId] = ["is required: an integer item id."];
        }

        if (body.FeatureValue is null)
        {
            errors[FeatureValue] = ["is required: a finite number."];
        }
        else if (!double.IsFinite(body.FeatureValue.Value))
        {
            errors[FeatureValue] = ["must be a finite number (NaN, Infinity and values beyond ±1.7e308 are not)."];
        }

        if (errors.Count > 0)
        {
            return (null, Results.ValidationProblem(errors, title: "The prediction request is invalid."));
        }

        return (new Submission(body.ItemId!.Value, body.FeatureValue!.Value), null);
    }

    // Property names match case-insensitively, so the path may spell the field either way.
    private static string FieldOf(string? path) =>
        string.Equals(path, "$." + ItemId, StringComparison.OrdinalIgnoreCase) ? ItemId
        : string.Equals(path, "$." + FeatureValue, StringComparison.OrdinalIgnoreCase) ? FeatureValue
        : Body;

    private static string MessageFor(string field, JsonException ex) => field switch
    {
        ItemId => "must appear once, as an integer (a JSON number without a fraction or exponent).",
        FeatureValue => "must appear once, as a finite number (a JSON number, not a string; NaN and Infinity are not numbers in JSON).",
        _ => $"is not a valid JSON object with itemId and featureValue (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).",
    };

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The prediction request is invalid.");

    private static IResult TooLarge(GatewayOptions options) => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body may be at most {options.MaxRequestBodyBytes} bytes.");
}
