using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Gateway.Auth;
using Predictions.Gateway.Backpressure;
using Predictions.Gateway.Idempotency;
using Predictions.Gateway.Status;
using Predictions.Gateway.Telemetry;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Gateway.Api;

public static class PredictionEndpoints
{
    // A failed store write after the publish is tried again after these pauses, within Gateway:StoreTimeout.
    private static readonly TimeSpan[] StoreRetryPauses = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500)];

    public static IEndpointRouteBuilder MapPredictions(this IEndpointRouteBuilder app)
    {
        var predictions = app.MapGroup("/predictions").WithTags("Predictions")
            .RequireApiKey()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        predictions.MapPost("/", SubmitAsync)
            .WithSummary("Submit a prediction")
            .WithDescription("""
                Queues the request and answers 202 with its Location once the broker has confirmed it; the body is the
                prediction as known so far. Without `wait` the answer is always 202, even when the prediction is already
                finished (the body then shows it). With `?wait=seconds` the answer waits for the outcome: 200 with the
                finished prediction if it ends in time, else 202.
                An `Idempotency-Key` header makes retries safe: the same key returns the same prediction, with the same
                status codes, and publishes nothing.
                """)
            .Accepts<SubmitPredictionBody>("application/json")
            .Produces<PredictionRecord>(StatusCodes.Status200OK)
            .Produces<PredictionRecord>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        predictions.MapGet("/{id:guid}", GetAsync)
            .WithSummary("Get a prediction")
            .WithDescription("Its status and, once finished, its result or error. With `?wait=seconds` the answer comes as soon as it finishes, or when the wait ends. A prediction submitted with another API key is 404, like an unknown id.")
            .Produces<PredictionRecord>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    /// <summary>
    /// Publishes the request and answers 202 only once the broker has confirmed it: a 202 always means
    /// the request is stored and will be computed.
    /// </summary>
    private static async Task<IResult> SubmitAsync(
        HttpContext http,
        IPublishEndpoint publisher,
        PredictionStatusStore store,
        IdempotencyStore idempotency,
        PredictionLookup lookup,
        GatewayMetrics metrics,
        DrainRate drain,
        RefusedPublishes refusals,
        IOptions<GatewayOptions> options,
        IOptions<WorkQueueOptions> workQueue,
        TimeProvider clock,
        ILogger<PredictionRequest> logger)
    {
        var (submission, problem) = await SubmissionReader.ReadAsync(http.Request, options.Value, clock.GetUtcNow(), http.RequestAborted);
        var (wait, waitProblem) = RequestParameters.Wait(http.Request, options.Value);
        var (key, keyProblem) = RequestParameters.IdempotencyKey(http.Request);
        var owner = http.User.ApiKeyName();
        if ((problem ?? waitProblem ?? keyProblem) is { } rejection)
        {
            metrics.Submission("rejected");
            return rejection;
        }

        var request = new PredictionRequest
        {
            PredictionId = Guid.CreateVersion7(),
            ItemId = submission!.ItemId,
            FeatureValue = submission.FeatureValue,
            SubmittedAt = clock.GetUtcNow(),
            Deadline = submission.Deadline,
        };

        if (key is not null)
        {
            // The deadline is left out: a retry that recomputes "now + 5 s" is still the same request.
            var fingerprint = string.Create(CultureInfo.InvariantCulture, $"{request.ItemId}:{request.FeatureValue:R}");
            (IdempotencyStore.Outcome Outcome, Guid PredictionId) claim;
            using (var storeDeadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted))
            {
                storeDeadline.CancelAfter(options.Value.StoreTimeout);
                try
                {
                    claim = await idempotency.ClaimAsync(owner, key, request.PredictionId, fingerprint, storeDeadline.Token);
                }
                catch (Exception ex) when (StoreOutage.Is(ex, http.RequestAborted))
                {
                    // The claim failed or was withdrawn unwritten, and nothing was published: the same key may simply be sent again.
                    logger.LogWarning("An Idempotency-Key could not be claimed, so the submission was answered 503 and nothing was published: {Reason}", StoreOutage.Reason(ex, options.Value.StoreTimeout));
                    metrics.Submission("unavailable");
                    return StoreOutage.Problem(http, "The results store, which keeps Idempotency-Keys, is unavailable; the request was not published. Submit it again with the same key after Retry-After.");
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
                    return Results.Problem(
                        statusCode: StatusCodes.Status422UnprocessableEntity,
                        title: "Idempotency-Key reused for a different request",
                        detail: $"This key already submitted prediction {existing} with a different itemId or featureValue. Use a new key for a new request.");
                case IdempotencyStore.Outcome.InProgress:
                    http.Response.Headers.RetryAfter = "1";
                    return Results.Problem(
                        statusCode: StatusCodes.Status409Conflict,
                        title: "A request with this Idempotency-Key is in progress",
                        detail: "Retry in a moment to get its outcome.");
                case IdempotencyStore.Outcome.Replayed:
                    metrics.Submission("replayed");

                    // Should its queued record be missing (the write failed), the request tells all but when it came.
                    return await AnswerAsync(AsQueued(request with { PredictionId = existing }, submittedAt: null), owner, wait, lookup, logger, http.RequestAborted);
            }
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(options.Value.PublishTimeout);
        using var refusal = refusals.Start(request.PredictionId, deadline);
        try
        {
            await publisher.PublishCancellableAsync(request, context =>
            {
                context.MessageId = request.PredictionId;
                context.Headers.Set(Doors.Header, Doors.Http);
            }, deadline.Token);
        }
        catch (Exception ex) when (refusal.Refused || !http.RequestAborted.IsCancellationRequested)
        {
            if (key is not null)
            {
                await idempotency.ReleaseAsync(owner, key, CancellationToken.None);
            }

            if (refusal.Refused)
            {
                // The work queue is at WorkQueue:MaxLength and RabbitMQ refused the message: nothing was stored.
                metrics.Submission("throttled");
                http.Response.Headers.RetryAfter = drain.RetryAfterSeconds(workQueue.Value.MaxLength).ToString(CultureInfo.InvariantCulture);
                return Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    type: ProblemTypes.WorkQueueFull,
                    title: "Too many predictions are waiting",
                    detail: $"The work queue is full ({workQueue.Value.MaxLength} requests waiting); the request was not stored. Submit it again after Retry-After.");
            }

            logger.LogWarning(ex, "Broker did not confirm prediction {PredictionId}", request.PredictionId);
            metrics.Submission("unavailable");
            http.Response.Headers.RetryAfter = "5";
            return Results.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The message broker is unavailable",
                detail: $"The broker did not confirm the request within {options.Value.PublishTimeout.TotalSeconds:0.#} s, so it may not have been stored. Submit it again; with an Idempotency-Key the retry is safe either way.");
        }

        // Published: from here on the request exists, whatever happens to this HTTP exchange or to the store.
        await RecordPublishedAsync(request, owner, key, store, idempotency, options.Value.StoreTimeout, clock, logger);
        metrics.Submission("accepted");
        return await AnswerAsync(AsQueued(request, request.SubmittedAt), owner, wait, lookup, logger, http.RequestAborted);
    }

    /// <summary>
    /// Marks the Idempotency-Key published and records the request as queued. The broker has the request whatever
    /// the store does, so a write that keeps failing, or is not done within <paramref name="storeTimeout"/> (a lock
    /// held elsewhere), is logged and the client still gets its 202 at once: a key that cannot be marked is released
    /// instead, so a retry gets the same prediction id (and publishes it again, which the worker and the stores
    /// collapse into one prediction) rather than 409; a request not recorded as queued is 404 to GET until its
    /// outcome arrives and records it (the status consumer waits out an outage however long it lasts).
    /// </summary>
    private static async Task RecordPublishedAsync(
        PredictionRequest request, string? owner, string? key, PredictionStatusStore store, IdempotencyStore idempotency, TimeSpan storeTimeout, TimeProvider clock, ILogger logger)
    {
        if (key is not null && await TryWriteAsync(token => idempotency.MarkPublishedAsync(owner, key, token), storeTimeout, clock) is { } unmarked)
        {
            if (await TryWriteAsync(token => idempotency.ReleaseAsync(owner, key, token), storeTimeout, clock) is null)
            {
                logger.LogWarning(Detail(unmarked), "Prediction {PredictionId} was published but its Idempotency-Key could not be marked so; the key was released, and a retry with it publishes the same id again: {Reason}", request.PredictionId, StoreOutage.Reason(unmarked, storeTimeout));
            }
            else
            {
                logger.LogWarning(Detail(unmarked), "Prediction {PredictionId} was published but its Idempotency-Key could be neither marked so nor released; a retry with it gets 409 until the claim counts as abandoned: {Reason}", request.PredictionId, StoreOutage.Reason(unmarked, storeTimeout));
            }
        }

        if (await TryWriteAsync(token => store.AddQueuedAsync([request], owner, token), storeTimeout, clock) is { } unrecorded)
        {
            logger.LogWarning(Detail(unrecorded), "Prediction {PredictionId} was published but could not be recorded as queued; GET answers 404 for it until its outcome arrives: {Reason}", request.PredictionId, StoreOutage.Reason(unrecorded, storeTimeout));
        }

        // An outage says all in its reason; anything else may be a bug, and keeps its stack trace.
        static Exception? Detail(Exception failure) => StoreOutage.Is(failure, CancellationToken.None) ? null : failure;
    }

    /// <summary>
    /// Runs a store write; one that failed fast (a lock let go of, an I/O hiccup) is tried again a moment later.
    /// Within <paramref name="timeout"/> in all: a write not done by then is withdrawn unwritten. The last failure, or null.
    /// </summary>
    private static async Task<Exception?> TryWriteAsync(Func<CancellationToken, Task> write, TimeSpan timeout, TimeProvider clock)
    {
        using var deadline = new CancellationTokenSource(timeout, clock);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await write(deadline.Token);
                return null;
            }
            catch (Exception ex) when (attempt == StoreRetryPauses.Length || deadline.IsCancellationRequested)
            {
                return ex;
            }
            catch (Exception)
            {
                // Should the time run out meanwhile, the next try fails at once and reports it.
                await Task.Delay(StoreRetryPauses[attempt], clock, deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>What the gateway knows of a request it accepted before the store says more.</summary>
    private static PredictionRecord AsQueued(PredictionRequest request, DateTimeOffset? submittedAt) =>
        new(request.PredictionId, PredictionStatus.Queued, request.ItemId, request.FeatureValue, null, null, null, submittedAt, null, null);

    private static async Task<IResult> GetAsync(
        Guid id, HttpRequest request, PredictionLookup lookup, IOptions<GatewayOptions> options, ILogger<PredictionRequest> logger)
    {
        var reader = request.HttpContext.User.ApiKeyName();
        var (wait, problem) = RequestParameters.Wait(request, options.Value);
        if (problem is not null)
        {
            return problem;
        }

        PredictionRecord? record;
        try
        {
            record = await lookup.FindAsync(id, reader, wait, request.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (StoreOutage.Is(ex, request.HttpContext.RequestAborted))
        {
            logger.LogWarning("Prediction {PredictionId} could not be read, so the poll was answered 503: {Reason}", id, ex.Message);
            return StoreOutage.Problem(request.HttpContext, "The results store is unavailable, so the prediction cannot be read right now. Poll again after Retry-After.");
        }

        return record is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Prediction not found", detail: $"No prediction has the id {id}.")
            : Results.Ok(record);
    }

    /// <summary>
    /// 202 pointing at where to poll, with the prediction as known so far (a replay may find it finished): as stored,
    /// else as <paramref name="accepted"/>. Only a client that asked to wait gets 200, with the finished prediction,
    /// when it ends within the wait.
    /// </summary>
    private static async Task<IResult> AnswerAsync(
        PredictionRecord accepted, string? owner, TimeSpan wait, PredictionLookup lookup, ILogger logger, CancellationToken cancellationToken)
    {
        PredictionRecord? record;
        try
        {
            record = await lookup.FindAsync(accepted.Id, owner, wait, cancellationToken);
        }
        catch (Exception ex) when (StoreOutage.Is(ex, cancellationToken))
        {
            // The request exists (it was published, or replayed): it is owed its 202 even when the store cannot say more.
            logger.LogWarning("Prediction {PredictionId} could not be read after it was accepted; answered with it as queued: {Reason}", accepted.Id, ex.Message);
            record = null;
        }

        record ??= accepted;
        var location = $"/predictions/{accepted.Id}";
        return wait > TimeSpan.Zero && record.Status != PredictionStatus.Queued
            ? Results.Ok(record)
            : Results.Accepted(location, record);
    }
}
