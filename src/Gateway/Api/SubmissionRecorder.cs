using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Gateway.Idempotency;
using Predictions.Gateway.Status;
using Predictions.ServiceDefaults.Resilience;
using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Gateway.Api;

/// <summary>
/// Resolves a submission's store writes once its publish has ended; a write never throws, so the client hears what the
/// publish earned it, whatever the store does.
/// </summary>
public sealed class SubmissionRecorder(
    PredictionStatusStore store,
    IdempotencyStore idempotency,
    IOptions<GatewayOptions> options,
    IOptionsMonitor<RetryPolicy> retries,
    TimeProvider clock,
    ILogger<PredictionRequest> logger)
{
    // A failed store write after the publish is tried again after these pauses, within Gateway:StoreTimeout.
    private readonly TimeSpan[] _retryPauses = retries.GetRetryPolicy(RetryPolicies.SubmissionWrites).Intervals;

    private readonly TimeSpan _storeTimeout = options.Value.StoreTimeout;

    public async Task RecordAsync(PredictionRequest request, string? owner, string? key)
    {
        if (key is not null && await TryWriteAsync(token => idempotency.MarkPublishedAsync(owner, key, token)) is { } unmarked)
        {
            if (await TryWriteAsync(token => idempotency.ReleaseAsync(owner, key, token)) is null)
            {
                logger.LogWarning(Detail(unmarked),
                    "Prediction {PredictionId} was published but its Idempotency-Key could not be marked so; the key was released, "
                    + "and a retry with it publishes the same id again: {Reason}",
                    request.PredictionId, StoreOutage.Reason(unmarked, _storeTimeout));
            }
            else
            {
                logger.LogWarning(Detail(unmarked),
                    "Prediction {PredictionId} was published but its Idempotency-Key could be neither marked so nor released; "
                    + "a retry with it gets 409 until the claim counts as abandoned: {Reason}",
                    request.PredictionId, StoreOutage.Reason(unmarked, _storeTimeout));
            }
        }

        using var span = PredictionTracing.Start("status.write", request.PredictionId);
        if (await TryWriteAsync(token => store.AddQueuedAsync([request], owner, token)) is { } unrecorded)
        {
            logger.LogWarning(Detail(unrecorded),
                "Prediction {PredictionId} was published but could not be recorded as queued; "
                + "GET answers 404 for it until its outcome arrives: {Reason}",
                request.PredictionId, StoreOutage.Reason(unrecorded, _storeTimeout));
        }
    }

    // An outage says all in its reason; anything else may be a bug, and keeps its stack trace.
    private static Exception? Detail(Exception failure) => StoreOutage.Is(failure, CancellationToken.None) ? null : failure;

    /// <summary>
    /// Frees the key of a submission the broker did not confirm, so that a retry publishes the same prediction id again.
    /// A store that fails here leaves the key claimed: a retry gets 409 until the claim counts as abandoned.
    /// </summary>
    public async Task ReleaseAsync(Guid predictionId, string? owner, string key)
    {
        if (await TryWriteAsync(token => idempotency.ReleaseAsync(owner, key, token)) is { } unreleased)
        {
            logger.LogWarning(Detail(unreleased),
                "Prediction {PredictionId} was not published and its Idempotency-Key could not be released; "
                + "a retry with it gets 409 until the claim counts as abandoned: {Reason}",
                predictionId, StoreOutage.Reason(unreleased, _storeTimeout));
        }
    }

    /// <summary>
    /// Runs a store write; one that failed fast (a lock let go of, an I/O hiccup) is tried again a moment later.
    /// Within <c>Gateway:StoreTimeout</c> in all: a write not done by then is withdrawn unwritten. The last failure, or null.
    /// </summary>
    private async Task<Exception?> TryWriteAsync(Func<CancellationToken, Task> write)
    {
        using var deadline = new CancellationTokenSource(_storeTimeout, clock);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await write(deadline.Token);
                return null;
            }
            catch (Exception ex) when (attempt == _retryPauses.Length || deadline.IsCancellationRequested)
            {
                return ex;
            }
            catch (Exception)
            {
                // Should the time run out meanwhile, the next try fails at once and reports it.
                await Task.Delay(_retryPauses[attempt], clock, deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
