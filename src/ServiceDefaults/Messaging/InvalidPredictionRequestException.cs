namespace Predictions.ServiceDefaults.Messaging;

/// <summary>
/// The request can never be computed as sent: it goes to the error queue at once, with this message as
/// its reason (header <c>MT-Fault-Message</c>), and is not retried.
/// </summary>
public sealed class InvalidPredictionRequestException(string reason) : Exception(reason)
{
    public const string NoPredictionId =
        "predictionId is missing and the message has no UUID message_id to stand in for it: its result could not be correlated.";
}
