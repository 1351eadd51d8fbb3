using MassTransit;
using Predictions.Contracts;

namespace Predictions.Messaging;

/// <summary>
/// Keeps <see cref="PredictionOutcome"/>, the part the outcome events share, off the broker. MassTransit would
/// declare an exchange for each base type of a published message and bind the message's exchange to it, and it
/// names every base type in the envelope's <c>messageType</c> list whatever the topology says (excluding a type
/// only stops the exchange). Each outcome keeps its own exchange and is named by its own type only, so
/// subscribers see what they always saw.
/// </summary>
public static class OutcomeTopology
{
    private static readonly string OutcomeMessageType = MessageUrn.ForTypeString<PredictionOutcome>();

    public static void ExcludePredictionOutcome(this IBusFactoryConfigurator cfg)
    {
        cfg.Publish<PredictionOutcome>(p => p.Exclude = true);
        cfg.ConfigurePublish(publish => publish.UseExecute(context =>
        {
            // Every publish passes here; only an outcome's list names the base type, so only that one is copied.
            if (context.SupportedMessageTypes.Contains(OutcomeMessageType))
            {
                context.SupportedMessageTypes = [.. context.SupportedMessageTypes.Where(type => type != OutcomeMessageType)];
            }
        }));
    }
}
