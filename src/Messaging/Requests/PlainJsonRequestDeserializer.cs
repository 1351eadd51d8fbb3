using System.Net.Mime;
using MassTransit;
using MassTransit.Configuration;

namespace Predictions.Messaging.Requests;

/// <summary>
/// Reads plain-JSON requests (<c>content_type: application/json</c>, from publishers that do not use
/// MassTransit) as <see cref="Contracts.PredictionRequest"/>, after checking them with <see cref="PredictionRequestJson"/>,
/// so a bad message is refused with a reason that names the field rather than a serializer's complaint. Checking
/// here, before deserialization, is what lets MassTransit treat it as a fault.
/// </summary>
public sealed class PlainJsonRequestDeserializer(IMessageDeserializer raw, Action onRejected) : IMessageDeserializer
{
    public ContentType ContentType => raw.ContentType;

    public ConsumeContext Deserialize(ReceiveContext receiveContext)
    {
        var read = PredictionRequestJson.Read(receiveContext.Body.GetBytes());
        var predictionId = read.Request?.PredictionId is { } id && id != Guid.Empty
            ? id
            : receiveContext.TransportHeaders.Get<Guid>(MessageHeaders.MessageId);
        if (PredictionRequestValidator.ReasonAgainst(read.Errors, predictionId) is { } reason)
        {
            onRejected();
            throw new InvalidPredictionRequestException(reason);
        }

        return raw.Deserialize(receiveContext);
    }

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null) =>
        raw.Deserialize(body, headers, destinationAddress);

    public MessageBody GetMessageBody(string text) => raw.GetMessageBody(text);

    public void Probe(ProbeContext context) => raw.Probe(context.CreateScope("plainJsonRequest"));

    /// <summary>Adds the checked plain-JSON reader to an endpoint, beside MassTransit's own envelope format.</summary>
    public sealed class Factory(Action? onRejected = null) : ISerializerFactory
    {
        private readonly SystemTextJsonRawMessageSerializerFactory _raw = new(RawSerializerOptions.AnyMessageType);

        public ContentType ContentType => _raw.ContentType;

        public IMessageSerializer CreateSerializer() => _raw.CreateSerializer();

        public IMessageDeserializer CreateDeserializer() => new PlainJsonRequestDeserializer(_raw.CreateDeserializer(), onRejected ?? (() => { }));
    }
}
