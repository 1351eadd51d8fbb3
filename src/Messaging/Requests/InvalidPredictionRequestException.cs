using Predictions.Contracts;

namespace Predictions.Messaging.Requests;

/// <summary>
/// The request can never be computed as sent: it goes to the error queue at once, with this message as
/// its reason (header <c>MT-Fault-Message</c>), and is not retried.
/// </summary>
public sealed class InvalidPredictionRequestException(string reason) : Exception(reason)
{
    public const string NoPredictionId =
        "predictionId is missing and the message has no UUID message_id to stand in for it: its result could not be correlated.";

    /// <summary>
    /// Why a request read by type (from MassTransit's envelope, or in memory) can never be computed, or null when it can:
    /// the same rules as the JSON doors (<see cref="PredictionRequestValidator"/>). <paramref name="predictionId"/> is its
    /// id as settled (<see cref="PredictionIds"/>).
    /// </summary>
    public static string? ReasonAgainst(PredictionRequest request, Guid? predictionId) =>
        PredictionRequestValidator.ReasonAgainst(PredictionRequestValidator.Check(request, _ => true), predictionId);
}
