using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Gateway.Auth;
using Predictions.Gateway.Backpressure;
using Predictions.Gateway.Idempotency;
using Predictions.Gateway.Publishing;
using Predictions.Gateway.Routing;
using Predictions.Gateway.Status;
using Predictions.Gateway.Telemetry;
using Predictions.Messaging;
using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Gateway.Api;

/// <summary>
/// <c>POST /predictions</c>: checks the request, claims its Idempotency-Key, publishes it and answers 202 only once
/// the broker has confirmed it, so a 202 always means the request is stored and will be computed.
/// </summary>
public sealed class PredictionSubmission(
    ISubmissionPublisher publisher,
    ModelRouting routing,
    IdempotencyStore idempotency,
    IWorkQueueDepth depth,
    DrainRate drain,
    SubmissionRecorder recorder,
    PredictionLookup lookup,
    GatewayMetrics metrics,
    IOptions<GatewayOptions> options,
    IOptions<PublishingOptions> publishing,
    IOptions<WorkQueueOptions> workQueue,
    ShadowCopies shadows,
    TimeProvider clock,
    ILogger<PredictionRequest> logger)
{
    /// <summary>Keeps a caller on one version of a canary or shadow split; the item id when absent.</summary>
    public const string StickyKeyHeader = "X-Sticky-Key";

    private readonly GatewayOptions _options = options.Value;

    public async Task<Results<Ok<PredictionRecord>, Accepted<PredictionRecord>, ValidationProblem, ProblemHttpResult>> SubmitAsync(HttpRequest http)
    {
        var aborted = http.HttpContext.RequestAborted;
        var (submission, unreadable, invalid) = await SubmissionReader.ReadAsync(http, _options, clock.GetUtcNow(), aborted);
        if (submission is null)
        {
            metrics.Submission("rejected");
            return unreadable is not null ? unreadable : invalid!;
        }

        var (wait, key) = (submission.Wait, submission.IdempotencyKey);
        var owner = http.HttpContext.User.ApiKeyName();
        var request = submission.Request with { PredictionId = Guid.CreateVersion7(), SubmittedAt = clock.GetUtcNow() };

        // A request goes to its version's lane and says which version and why: the workers need not route it again.
        var sticky = http.Headers[StickyKeyHeader].FirstOrDefault() is { Length: > 0 and <= 255 } given
            ? given
            : request.ItemId.ToString(CultureInfo.InvariantCulture);
        var routed = routing.Route(request.Model, sticky);
        if (routed.Problem is { } problem)
        {
            metrics.Submission("rejected");
            return routed.NotServed
                ? SubmissionProblems.ModelNotServed(problem)
                : RequestParameters.Invalid(new Dictionary<string, string[]> { ["model"] = [$"{problem}."] });
        }

        var lane = routed.Lane;
        if (lane is not null && (request.Model is not null || lane.Route is not null))
        {
            request = request with { Model = $"{lane.Model.Name}:{lane.Model.Version}" };
        }

        if (key is not null)
        {
            // The deadline is left out: a retry that recomputes "now + 5 s" is still the same request. The model, when
            // named, as given: a retry that names the model alone is the same request after a new version too.
            var fingerprint = submission.Request.Model is { } named
                ? string.Create(CultureInfo.InvariantCulture, $"{request.ItemId}:{request.FeatureValue:R}:{named}")
                : string.Create(CultureInfo.InvariantCulture, $"{request.ItemId}:{request.FeatureValue:R}");
            (IdempotencyStore.Outcome Outcome, Guid PredictionId) claim;

            // From the claim on, nothing follows the client's connection but the wait for the answer: a claim, publish,
            // mark or release cut short by a client that left would leave its key claimed with nobody to resolve it.
            using (var storeDeadline = new CancellationTokenSource(_options.StoreTimeout, clock))
            {
                try
                {
                    claim = await idempotency.ClaimAsync(owner, key, request.PredictionId, fingerprint, storeDeadline.Token);
                }
                catch (Exception ex) when (StoreOutage.Is(ex, CancellationToken.None))
                {
                    // The claim failed or was withdrawn unwritten, and nothing was published: the same key may simply be sent again.
                    logger.LogWarning(
                        "An Idempotency-Key could not be claimed, so the submission was answered 503 and nothing was published: {Reason}",
                        StoreOutage.Reason(ex, _options.StoreTimeout));
                    metrics.Submission("unavailable");
                    return StoreOutage.Problem(http.HttpContext, "The results store, which keeps Idempotency-Keys, is unavailable; "
                        + "the request was not published. Submit it again with the same key after Retry-After.");
                }
            }

            var (outcome, existing) = claim;
            switch (outcome)
            {
                case IdempotencyStore.Outcome.Claimed:
                    request = request with { PredictionId = existing };
                    break;
                case IdempotencyStore.Outcome.Mismatch:
                    metrics.Submission("rejected");
                    return SubmissionProblems.KeyReused(existing);
                case IdempotencyStore.Outcome.InProgress:
                    return SubmissionProblems.KeyInProgress(http.HttpContext);
                case IdempotencyStore.Outcome.Replayed:
                    metrics.Submission("replayed");

                    // Should its queued record be missing (the write failed), the request tells all but when it came.
                    return await AnswerAsync(AsQueued(request with { PredictionId = existing }, submittedAt: null), owner, wait, aborted);
            }
        }

        ProblemHttpResult? unpublished = null;
        var confirmed = false;
        try
        {
            unpublished = await PublishAsync(request, owner, lane, http.HttpContext);
            confirmed = unpublished is null;
        }
        finally
        {
            // Whatever the publish ended in, the key is marked or released, each within Gateway:StoreTimeout; a store
            // that fails then is logged, and the client still hears 503, or its 202 once the broker has the request.
            if (confirmed)
            {
                await recorder.RecordAsync(request, owner, key);
            }
            else if (key is not null)
            {
                await recorder.ReleaseAsync(request.PredictionId, owner, key);
            }
        }

        if (unpublished is not null)
        {
            return unpublished;
        }

        metrics.Submission("accepted");
        if (routed.Shadow is { } shadow)
        {
            await shadows.PublishAsync(request, shadow, owner);
        }

        // Just published and nobody waits: read back, the store would say queued too, bar an outcome a moment old.
        var accepted = AsQueued(request, request.SubmittedAt);
        return wait > TimeSpan.Zero
            ? await AnswerAsync(accepted, owner, wait, aborted)
            : AcceptedAt(accepted);
    }

    /// <summary>
    /// Publishes the request within <c>Gateway:PublishTimeout</c>, whether or not its client is still there. Null once
    /// the broker confirmed it; else the problem to answer with.
    /// </summary>
    private async Task<ProblemHttpResult?> PublishAsync(PredictionRequest request, string? owner, ModelRouting.Lane? lane, HttpContext http)
    {
        using var deadline = new CancellationTokenSource(publishing.Value.PublishTimeout, clock);
        PredictionTracing.Tag(request.PredictionId);
        try
        {
            await publisher.PublishAsync(request, owner, lane, deadline.Token);
            return null;
        }
        catch (LaneMissingException missing)
        {
            metrics.Submission("rejected");
            return SubmissionProblems.ModelNotServed(
                $"no worker serves model {missing.Lane.Model.Name}:{missing.Lane.Model.Version}: the broker has no queue for its lane");
        }
        catch (PublisherRefusedException refused)
        {
            // Not published: nothing to log per request, the publisher's readiness warns of it now and then.
            metrics.Submission("unavailable");
            return SubmissionProblems.PublisherRefused(http, refused.Refusal);
        }
        catch (Exception ex)
        {
            var maxLength = workQueue.Value.MaxLength;
            if (ex is PublishRefusedException refusal)
            {
                if (IWorkQueueDepth.IsAtLimit(await depth.ReadAsync(lane?.Queue ?? Topology.WorkQueue, CancellationToken.None), maxLength))
                {
                    metrics.Submission("throttled");
                    return lane is null || lane.Queue == Topology.WorkQueue
                        ? SubmissionProblems.WorkQueueFull(http, maxLength, drain.RetryAfterSeconds(maxLength))
                        : SubmissionProblems.LaneFull(http, lane, maxLength, drain.RetryAfterSeconds(maxLength));
                }

                // A refusal while the queue is not full: a quorum queue between leaders, say, or a channel that will
                // never be heard again after one (RabbitMQ 3.10). The next requests go on a new channel.
                publisher.Distrust(refusal);
                logger.LogWarning("The broker refused prediction {PredictionId} while the work queue had room", request.PredictionId);
                metrics.Submission("unavailable");
                return SubmissionProblems.BrokerRefused(http);
            }

            logger.LogWarning(ex, "Broker did not confirm prediction {PredictionId}", request.PredictionId);
            metrics.Submission("unavailable");
            return SubmissionProblems.BrokerUnavailable(http, publishing.Value.PublishTimeout);
        }
    }

    /// <summary>
    /// 202 pointing at where to poll, with the prediction as known so far (a replay may find it finished): as stored,
    /// else as <paramref name="accepted"/>. Only a client that asked to wait gets 200, with the finished prediction,
    /// when it ends within the wait.
    /// </summary>
    private async Task<Results<Ok<PredictionRecord>, Accepted<PredictionRecord>, ValidationProblem, ProblemHttpResult>> AnswerAsync(
        PredictionRecord accepted, string? owner, TimeSpan wait, CancellationToken cancellationToken)
    {
        PredictionRecord? record;
        try
        {
            record = await lookup.FindAsync(accepted.Id, owner, wait, cancellationToken);
        }
        catch (Exception ex) when (StoreOutage.Is(ex, cancellationToken))
        {
            // The request exists (it was published, or replayed): it is owed its 202 even when the store cannot say more.
            logger.LogWarning(
                "Prediction {PredictionId} could not be read after it was accepted; answered with it as queued: {Reason}", accepted.Id, ex.Message);
            record = null;
        }

        record ??= accepted;
        return wait > TimeSpan.Zero && record.Status != PredictionStatus.Queued
            ? TypedResults.Ok(record)
            : AcceptedAt(record);
    }

    /// <summary>202 with <paramref name="record"/> as the body and where to poll for it.</summary>
    private static Accepted<PredictionRecord> AcceptedAt(PredictionRecord record) => TypedResults.Accepted($"/predictions/{record.Id}", record);

    /// <summary>What the gateway knows of a request it accepted before the store says more.</summary>
    private static PredictionRecord AsQueued(PredictionRequest request, DateTimeOffset? submittedAt) =>
        new(request.PredictionId, PredictionStatus.Queued, request.ItemId, request.FeatureValue, null, null, null, submittedAt, null, null, null);
}
