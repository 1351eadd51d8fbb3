using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Predictions.Contracts;

namespace Predictions.Messaging.Requests;

/// <summary>
/// Reads a <see cref="PredictionRequest"/> written as plain JSON, the same way wherever one arrives (an HTTP body, an AMQP
/// body, the message in MassTransit's envelope): numbers are JSON numbers, never strings; duplicate keys and deep
/// documents are refused; then <see cref="PredictionRequestValidator"/> applies the fields' rules. Each error names its field.
/// </summary>
public static class PredictionRequestJson
{
    public const int MaxDepth = 8;

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        AllowDuplicateProperties = false,
        MaxDepth = MaxDepth,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { MissingIsForTheValidator } },
    };

    /// <summary>The request as read, when it could be; <see cref="Errors"/> is empty when it is usable.</summary>
    public sealed record Result(PredictionRequest? Request, IReadOnlyDictionary<string, bool> Fields, IReadOnlyDictionary<string, string[]> Errors)
    {
        public bool IsValid => Errors.Count == 0;

        /// <summary>Whether the JSON gave <paramref name="field"/> a value other than null.</summary>
        public bool Has(string field) => Fields.GetValueOrDefault(field);

        /// <summary>The errors in one line, for a log or a message header.</summary>
        public string Describe() => PredictionRequestValidator.Describe(Errors);
    }

    public static Result Read(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            return Invalid(PredictionRequestValidator.Body, "is empty: send a JSON object with itemId and featureValue.");
        }

        var fields = TopLevelFields(utf8Json);
        PredictionRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<PredictionRequest>(utf8Json, Strict);
        }
        catch (JsonException ex)
        {
            return Invalid(ex, fields);
        }

        return request is null
            ? Invalid(PredictionRequestValidator.Body, "must be a JSON object with itemId and featureValue.")
            : new Result(request, fields, PredictionRequestValidator.Check(request, field => fields.GetValueOrDefault(field)));
    }

    /// <summary>Reads a whole body (the caller bounds its size) and then the request in it.</summary>
    public static async ValueTask<Result> ReadAsync(Stream utf8Json, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await utf8Json.CopyToAsync(buffer, cancellationToken);
        return Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static Result Invalid(JsonException ex, Dictionary<string, bool> fields)
    {
        // Property names match case-insensitively, so the path may spell the field either way.
        var field = PredictionRequestValidator.Fields.FirstOrDefault(f => string.Equals(ex.Path, "$." + f.Name, StringComparison.OrdinalIgnoreCase));
        if (field is null)
        {
            return Invalid(PredictionRequestValidator.Body,
                $"is not a valid JSON object with itemId and featureValue (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }

        // A required field sent as null is as missing as one left out.
        var missing = field.IsRequired && fields.TryGetValue(field.Name, out var given) && !given;
        return Invalid(field.Name, missing ? PredictionRequestValidator.Missing(field) : PredictionRequestValidator.WrongShape(field));
    }

    private static Result Invalid(string field, string message) =>
        new(null, new Dictionary<string, bool>(), new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>
    /// The top-level names the document gives, each with whether its value is other than null: what tells a missing field
    /// from a zero. A document that cannot be read gives what came before the fault; the serializer says where it is.
    /// </summary>
    private static Dictionary<string, bool> TopLevelFields(ReadOnlySpan<byte> utf8Json)
    {
        var fields = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return fields;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                fields[name] = fields.GetValueOrDefault(name) || reader.TokenType != JsonTokenType.Null;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return fields;
    }

    // The serializer names only the first missing required field, in its own words: the validator names each in ours.
    private static void MissingIsForTheValidator(JsonTypeInfo info)
    {
        if (info.Type == typeof(PredictionRequest))
        {
            foreach (var property in info.Properties)
            {
                property.IsRequired = false;
            }
        }
    }
}
