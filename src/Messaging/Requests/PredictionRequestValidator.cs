using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Predictions.Contracts;
using Predictions.Messaging.Catalog;

namespace Predictions.Messaging.Requests;

/// <summary>
/// The rules of every <see cref="PredictionRequest"/> field, for both doors and both wire formats: required is the
/// contract's <c>required</c>, every number must be finite, and each field's wrong shape is named in its own words.
/// A field that needs nothing beyond its type's rules needs no line here.
/// </summary>
public static class PredictionRequestValidator
{
    /// <summary>The key of an error about the document as a whole.</summary>
    public const string Body = "body";

    public const string NotFinite = "must be a finite number (NaN, Infinity and values beyond ±1.7e308 are not).";

    /// <summary>The contract's fields, named as every reader of requests names them (camelCase, any case on input).</summary>
    public static IReadOnlyList<JsonPropertyInfo> Fields { get; } =
        JsonSerializerOptions.Web.GetTypeInfo(typeof(PredictionRequest)).Properties.AsReadOnly();

    /// <summary>The fields the gateway sets on an HTTP submission, so they are not part of its body.</summary>
    public static IReadOnlySet<string> SetByGateway { get; } =
        new HashSet<string> { Name(nameof(PredictionRequest.PredictionId)), Name(nameof(PredictionRequest.SubmittedAt)) };

    // Where a field's own words say more than its type's; the example is the API reference's.
    private static readonly Dictionary<string, FieldText> Texts = new()
    {
        [nameof(PredictionRequest.ItemId)] = new(Required: "an integer item id", Example: 123),
        [nameof(PredictionRequest.FeatureValue)] = new(Required: "a finite number", Example: 5.0),
        [nameof(PredictionRequest.Model)] = new(Shape: ModelReference.Shape, Example: "item-scorer"),
        [nameof(PredictionRequest.Deadline)] = new(
            Shape: "an ISO 8601 date and time string with its offset (for example 2026-01-31T12:00:05Z)", Example: "2026-01-31T12:00:05Z"),
    };

    public static string Name(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);

    /// <summary>What <paramref name="field"/>'s value must be when it is the wrong type or given twice.</summary>
    public static string WrongShape(JsonPropertyInfo field) => $"must appear once, as {Text(field).Shape ?? Shape(field.PropertyType)}.";

    public static string Missing(JsonPropertyInfo field) =>
        $"is required: {Text(field).Required ?? Text(field).Shape ?? Shape(field.PropertyType)}.";

    /// <summary>The API reference's example of <paramref name="field"/>, if it has one.</summary>
    public static JsonNode? Example(JsonPropertyInfo field) => Text(field).Example is { } example ? JsonValue.Create(example) : null;

    /// <summary>The errors of a request read by type, by field name; <paramref name="isPresent"/> tells which fields its JSON had.</summary>
    public static Dictionary<string, string[]> Check(PredictionRequest request, Func<string, bool> isPresent)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var field in Fields)
        {
            if (field.IsRequired && !isPresent(field.Name))
            {
                errors[field.Name] = [Missing(field)];
            }
            else if (field.Get?.Invoke(request) is double value && !double.IsFinite(value))
            {
                errors[field.Name] = [NotFinite];
            }
            else if (field.Name == Name(nameof(PredictionRequest.Model)) && request.Model is { } model && !ModelReference.TryParse(model, out _))
            {
                errors[field.Name] = [$"must be {ModelReference.Shape}."];
            }
        }

        return errors;
    }

    /// <summary>The HTTP door's own rules: the gateway chooses the id, and a deadline must be ahead of <paramref name="now"/>.</summary>
    public static void CheckSubmission(PredictionRequestJson.Result read, DateTimeOffset now, IDictionary<string, string[]> errors)
    {
        if (read.Has(Name(nameof(PredictionRequest.PredictionId))))
        {
            errors[Name(nameof(PredictionRequest.PredictionId))] =
                ["is chosen by the gateway; to retry safely, send an Idempotency-Key header instead."];
        }

        if (read.Request?.Deadline <= now)
        {
            errors[Name(nameof(PredictionRequest.Deadline))] =
                [$"has already passed (it is {now:O} here): give the latest moment inference may start, in the future."];
        }
    }

    /// <summary>
    /// Why a request that came by AMQP can never be computed, or null: its field errors, else no id to correlate it by
    /// (<paramref name="predictionId"/> is its id as settled, <see cref="PredictionIds"/>).
    /// </summary>
    public static string? ReasonAgainst(IReadOnlyDictionary<string, string[]> errors, Guid? predictionId) =>
        errors.Count > 0 ? Describe(errors)
        : predictionId is null ? InvalidPredictionRequestException.NoPredictionId
        : null;

    /// <summary>The errors in one line, for a log or a message header.</summary>
    public static string Describe(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(" ", e.Value)}"));

    private static FieldText Text(JsonPropertyInfo field) =>
        Texts.GetValueOrDefault(field.AttributeProvider is System.Reflection.MemberInfo member ? member.Name : field.Name) ?? new();

    private static string Shape(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(Guid) => "a UUID string",
        var t when t == typeof(long) || t == typeof(int) => "an integer (a JSON number without a fraction or exponent)",
        var t when t == typeof(double) => "a finite number (a JSON number, not a string; NaN and Infinity are not numbers in JSON)",
        var t when t == typeof(DateTimeOffset) => "an ISO 8601 date and time string",
        var t when t == typeof(string) => "a string",
        var t when t == typeof(bool) => "true or false",
        var t => $"a JSON value for a {t.Name}",
    };

    private sealed record FieldText(string? Shape = null, string? Required = null, object? Example = null);
}
