using System.Net.Mime;
using System.Runtime.InteropServices;
using System.Text.Json;
using MassTransit;
using MassTransit.Configuration;
using Predictions.Contracts;

namespace Predictions.Messaging.Requests;

/// <summary>
/// Reads MassTransit's envelope as MassTransit does, after reading the <see cref="PredictionRequest"/> in it with
/// <see cref="PredictionRequestJson"/>, so an envelope is held to the same rules, in the same words, as plain JSON.
/// Anything else (another message type, a body that is no envelope) is left to MassTransit. The id is checked
/// by the consumer, which alone knows the envelope's message id.
/// </summary>
public sealed class EnvelopeRequestDeserializer(IMessageDeserializer raw, Action onRejected) : IMessageDeserializer
{
    private static readonly string RequestUrn = MessageUrn.ForTypeString<PredictionRequest>();

    private static readonly JsonDocumentOptions Envelope = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public ContentType ContentType => raw.ContentType;

    public ConsumeContext Deserialize(ReceiveContext receiveContext)
    {
        if (ReasonAgainstRequestIn(receiveContext.Body.GetBytes()) is { } reason)
        {
            onRejected();
            throw new InvalidPredictionRequestException(reason);
        }

        return raw.Deserialize(receiveContext);
    }

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null) =>
        raw.Deserialize(body, headers, destinationAddress);

    public MessageBody GetMessageBody(string text) => raw.GetMessageBody(text);

    public void Probe(ProbeContext context) => raw.Probe(context.CreateScope("envelopeRequest"));

    /// <summary>The request's JSON, when the body is an envelope of one.</summary>
    // The request is read in place, from the envelope's own bytes: no copy of it on the way.
    private static string? ReasonAgainstRequestIn(byte[] body)
    {
        JsonDocument envelope;
        try
        {
            envelope = JsonDocument.Parse(body, Envelope);
        }
        catch (JsonException)
        {
            return null;
        }

        using (envelope)
        {
            var root = envelope.RootElement;
            var isRequest = root.ValueKind == JsonValueKind.Object
                && TryGet(root, "messageType", out var types) && types.ValueKind == JsonValueKind.Array
                && types.EnumerateArray().Any(type => type.ValueKind == JsonValueKind.String && type.GetString() == RequestUrn);
            return isRequest && TryGet(root, "message", out var message)
                && PredictionRequestJson.Read(JsonMarshal.GetRawUtf8Value(message)) is { IsValid: false } read
                ? read.Describe()
                : null;
        }
    }

    // MassTransit reads the envelope's names in any case.
    private static bool TryGet(JsonElement envelope, string name, out JsonElement value)
    {
        foreach (var property in envelope.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Puts the checked envelope reader in place of MassTransit's own on an endpoint.</summary>
    public sealed class Factory(Action? onRejected = null) : ISerializerFactory
    {
        private readonly SystemTextJsonMessageSerializerFactory _raw = new();

        public ContentType ContentType => _raw.ContentType;

        public IMessageSerializer CreateSerializer() => _raw.CreateSerializer();

        public IMessageDeserializer CreateDeserializer() => new EnvelopeRequestDeserializer(_raw.CreateDeserializer(), onRejected ?? (() => { }));
    }
}
