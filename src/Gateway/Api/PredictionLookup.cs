using Predictions.Gateway.Status;

namespace Predictions.Gateway.Api;

/// <summary>
/// Reads a prediction for a client, the one way both <c>GET /predictions/{id}</c> and a submission with
/// <c>?wait=</c> do: at once, or, given a wait, as soon as it is no longer queued or when the wait ends.
/// </summary>
public sealed class PredictionLookup(PredictionStatusStore store, LongPoll longPoll)
{
    /// <summary>Null when it is unknown or not <paramref name="reader"/>'s to see (an API key's name; null when keys are off).</summary>
    public Task<PredictionRecord?> FindAsync(Guid id, string? reader, TimeSpan wait, CancellationToken cancellationToken) =>
        wait > TimeSpan.Zero
            ? longPoll.WaitForOutcomeAsync(id, reader, wait, cancellationToken)
            : store.FindAsync(id, reader, cancellationToken);
}
