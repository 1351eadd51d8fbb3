using System.Text.Json;
using System.Text.Json.Serialization;

namespace Predictions.Messaging.Requests;

/// <summary>
/// Reads a prediction request written as plain JSON, with the same rules at both doors (an HTTP body
/// at the gateway, an AMQP body at the worker): numbers are JSON numbers, never strings; non-finite
/// values, duplicate keys and deep documents are refused; each error names its field.
/// </summary>
public static class PredictionRequestJson
{
    public const string PredictionId = "predictionId";
    public const string ItemId = "itemId";
    public const string FeatureValue = "featureValue";
    public const string SubmittedAt = "submittedAt";
    public const string Deadline = "deadline";

    /// <summary>The key of an error about the document as a whole.</summary>
    public const string Body = "body";

    public const int MaxDepth = 8;

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        AllowDuplicateProperties = false,
        MaxDepth = MaxDepth,
    };

    private static readonly string[] Fields = [PredictionId, ItemId, FeatureValue, SubmittedAt, Deadline];

    /// <summary>The request's fields; <see cref="Errors"/> is empty when they are all usable.</summary>
    public sealed record Result(Guid? PredictionId, long ItemId, double FeatureValue, DateTimeOffset? SubmittedAt, DateTimeOffset? Deadline, IReadOnlyDictionary<string, string[]> Errors)
    {
        public bool IsValid => Errors.Count == 0;

        /// <summary>The errors in one line, for a log or a message header.</summary>
        public string Describe() => string.Join("; ", Errors.Select(e => $"{e.Key} {string.Join(" ", e.Value)}"));
    }

    public static Result Read(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            return Invalid(Body, "is empty: send a JSON object with itemId and featureValue.");
        }

        try
        {
            return Check(JsonSerializer.Deserialize<Document>(utf8Json, Strict));
        }
        catch (JsonException ex)
        {
            return Invalid(ex);
        }
    }

    public static async ValueTask<Result> ReadAsync(Stream utf8Json, CancellationToken cancellationToken)
    {
        try
        {
            return Check(await JsonSerializer.DeserializeAsync<Document>(utf8Json, Strict, cancellationToken));
        }
        catch (JsonException ex)
        {
            return Invalid(ex);
        }
    }

    private static Result Check(Document? body)
    {
        if (body is null)
        {
            return Invalid(Body, "must be a JSON object with itemId and featureValue.");
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

        return new Result(body.PredictionId, body.ItemId ?? 0, body.FeatureValue ?? 0, body.SubmittedAt, body.Deadline, errors);
    }

    private static Result Invalid(JsonException ex)
    {
        // Property names match case-insensitively, so the path may spell the field either way.
        var field = Fields.FirstOrDefault(f => string.Equals(ex.Path, "$." + f, StringComparison.OrdinalIgnoreCase)) ?? Body;
        return Invalid(field, field switch
        {
            PredictionId => "must appear once, as a UUID string.",
            ItemId => "must appear once, as an integer (a JSON number without a fraction or exponent).",
            FeatureValue => "must appear once, as a finite number (a JSON number, not a string; NaN and Infinity are not numbers in JSON).",
            SubmittedAt => "must appear once, as an ISO 8601 date and time string.",
            Deadline => "must appear once, as an ISO 8601 date and time string with its offset (for example 2026-01-31T12:00:05Z).",
            _ => $"is not a valid JSON object with itemId and featureValue (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).",
        });
    }

    private static Result Invalid(string field, string message) =>
        new(null, 0, 0, null, null, new Dictionary<string, string[]> { [field] = [message] });

    // Everything nullable, so "missing" and "wrong" can be told apart and each reported by name.
    private sealed record Document(Guid? PredictionId, long? ItemId, double? FeatureValue, DateTimeOffset? SubmittedAt, DateTimeOffset? Deadline);
}
