using System.Globalization;
using MassTransit;
using Predictions.Contracts;
using Predictions.Messaging;
using Predictions.Messaging.Outages;
using Predictions.Messaging.Requests;
using Predictions.Messaging.Rollouts;
using Predictions.ServiceDefaults.Telemetry;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;
using Predictions.Worker.Metadata;
using Predictions.Worker.Models;
using Predictions.Worker.Rollouts;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Pipeline;

/// <summary>
/// One prediction: await the item's metadata (I/O, no thread held), run the model on the bounded
/// inference pool, publish the outcome. A failure that asking again cannot fix (unknown item, unreadable
/// metadata, a model that rejects the input or answers no finite number) becomes <see cref="PredictionFailed"/>
/// at once; a metadata outage is waited out (<see cref="MetadataWait"/>); anything else is retried, and what
/// still fails then is failed by <see cref="RequestOutcomeFilter"/>. A request whose deadline passes before a
/// pool thread starts it becomes <see cref="PredictionExpired"/>, never computed.
/// </summary>
[ExcludeFromConfigureEndpoints]
public sealed class PredictionRequestConsumer(
    MetadataWait metadataWait,
    InferencePool pool,
    LaneRouting routing,
    WorkerIdentity worker,
    WorkerMetrics metrics,
    TimeProvider clock,
    ILogger<PredictionRequestConsumer> logger) : IConsumer<PredictionRequest>
{
    public async Task Consume(ConsumeContext<PredictionRequest> context)
    {
        using var active = metrics.Track();
        var request = Validate(context);
        var cancellationToken = context.CancellationToken;
        var timings = new PredictionTimings { ReceivedAt = clock.GetUtcNow() };

        var placement = routing.Place(context, request);
        var tags = new OutcomeTags(placement.Route, ShadowOf(context));
        if (placement.Shadow is { } shadow)
        {
            await SendShadowAsync(context, request, shadow);
        }

        if (placement.Lane is not { } lane)
        {
            await ForwardAsync(context, request, placement, tags, timings);
            return;
        }

        // From here on the lane's guaranteed share of the pool is kept for this request.
        using var expected = placement.Expected;
        var model = lane.Identity;
        WorkerTracing.TagModel(model);

        // A request that waited past its deadline in the queue costs neither a fetch nor a thread.
        if (request.Deadline <= timings.ReceivedAt)
        {
            await PublishExpiredAsync(context, request, model, tags, timings);
            return;
        }

        IReadOnlyDictionary<string, double> metadata;
        timings = timings with { MetadataStartedAt = clock.GetUtcNow() };
        using (PredictionTracing.Start("metadata", request.PredictionId))
        using (var expiry = ExpiryToken(request))
        using (var fetch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token))
        {
            try
            {
                metadata = await metadataWait.GetAsync(request.ItemId, timings.ReceivedAt, fetch.Token);
            }
            catch (ItemMetadataException ex)
            {
                await PublishFailedAsync(context, request, model, tags, ex.Message, timings with { MetadataCompletedAt = clock.GetUtcNow() });
                return;
            }
            catch (OutageOutlastedException ex)
            {
                await context.ReturnToQueueAsync(ex, logger);
                return;
            }
            catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The deadline passed during the fetch: stop waiting for an answer that can no longer be used.
                await PublishExpiredAsync(context, request, model, tags, timings);
                return;
            }
        }

        timings = timings with { MetadataCompletedAt = clock.GetUtcNow() };

        // Another source than the HTTP one may hand over what no model input, and no outcome event, can hold.
        if (metadata.FirstOrDefault(feature => !double.IsFinite(feature.Value)) is { Key: { } feature, Value: var value })
        {
            var unreadable = new UnreadableMetadataException(request.ItemId, feature, value.ToString(CultureInfo.InvariantCulture));
            await PublishFailedAsync(context, request, model, tags, unreadable.Message, timings);
            return;
        }

        InferenceOutcome outcome;
        try
        {
            outcome = await pool.PredictAsync(
                lane, request.PredictionId, new ModelInput(request.FeatureValue, metadata), request.Deadline, cancellationToken);
        }
        catch (DeadlinePassedException ex)
        {
            await PublishExpiredAsync(context, request, model, tags, timings with { InferenceQueuedAt = ex.QueuedAt });
            return;
        }
        catch (InferencePoolStoppedException)
        {
            // The worker is shutting down and will not compute it. Hold it until the endpoint stops and cancels
            // this consume: a cancelled consume is neither failed nor error-queued, it goes back to the queue.
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Model rejected prediction {PredictionId}", request.PredictionId);
            await PublishFailedAsync(context, request, model, tags, $"inference failed: {ex.Message}", timings);
            return;
        }

        timings = timings with
        {
            InferenceQueuedAt = outcome.QueuedAt,
            InferenceStartedAt = outcome.StartedAt,
            InferenceCompletedAt = outcome.CompletedAt,
        };

        InferenceTracing.Record(request.PredictionId, outcome, model);

        // Computing it again would give the same answer: it fails now, once, rather than after every retry.
        if (!double.IsFinite(outcome.Prediction))
        {
            await PublishFailedAsync(context, request, model, tags,
                $"the model {model.Name} {model.Version} answered {outcome.Prediction.ToString(CultureInfo.InvariantCulture)}, "
                + "which is not a finite number, for this input",
                timings);
            return;
        }

        await context.PublishOutcomeAsync(tags.On(request.Completed(worker, timings, clock.GetUtcNow(), metadata, outcome.Prediction, model)));
        metrics.Stages(timings, request.SubmittedAt, model, outcome.TakenAt);
        metrics.Outcome("completed", model);
    }

    private static Guid? ShadowOf(ConsumeContext context) =>
        Guid.TryParse(context.Header(Topology.ShadowOfHeader), out var original) ? original : null;

    /// <summary>Cancelled when the request's deadline passes, timed by the same clock that reads it.</summary>
    private CancellationTokenSource ExpiryToken(PredictionRequest request)
    {
        if (request.Deadline is not { } deadline)
        {
            return new CancellationTokenSource();
        }

        var left = deadline - clock.GetUtcNow();
        // A timer cannot run longer than about 49.7 days; a deadline that far off cannot end a fetch anyway.
        return left > MaxTimer ? new CancellationTokenSource() : new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, clock);
    }

    private static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>The request with its prediction id settled, or the reason it can never be computed.</summary>
    private PredictionRequest Validate(ConsumeContext<PredictionRequest> context)
    {
        var id = context.PredictionId();
        if (InvalidPredictionRequestException.ReasonAgainst(context.Message, id) is { } reason)
        {
            metrics.Outcome("rejected");
            throw new InvalidPredictionRequestException(reason);
        }

        return context.Message with { PredictionId = id!.Value };
    }

    /// <summary>
    /// A request for a model this worker does not serve: on to its lane, with the version and why it was chosen (failed when no
    /// worker ever made that lane), else failed with the reason.
    /// </summary>
    private async Task ForwardAsync(
        ConsumeContext<PredictionRequest> context, PredictionRequest request, Placement placement, OutcomeTags tags, PredictionTimings timings)
    {
        if (placement.Elsewhere is not { } model)
        {
            await PublishFailedAsync(context, request, placement.Model, tags, placement.Problem!, timings);
            return;
        }

        try
        {
            await context.SendCopyAsync(Topology.Lanes, LaneNames.RoutingKey(model), headers =>
            {
                if (placement.Route is { } route)
                {
                    headers.Set(Topology.RouteHeader, route);
                    headers.Set(Topology.RoutedModelHeader, $"{model.Name}:{model.Version}");
                }
            });
            logger.LogDebug("Prediction {PredictionId} forwarded to the lane of {Model} {Version}", request.PredictionId, model.Name, model.Version);
            metrics.Outcome("forwarded", model);
        }
        catch (MessageReturnedException)
        {
            await PublishFailedAsync(context, request, model, tags,
                $"no worker serves model {model.Name}:{model.Version}: its lane {LaneNames.Queue(model, isDefault: false)} does not exist", timings);
        }
    }

    /// <summary>
    /// A copy of the request for the shadow version, with an id of its own derived from the original's and the original's id
    /// in a header: audited, never answered. A copy that cannot be sent is dropped; the request itself goes on.
    /// </summary>
    private async Task SendShadowAsync(ConsumeContext<PredictionRequest> context, PredictionRequest request, ModelIdentity shadow)
    {
        var model = $"{shadow.Name}:{shadow.Version}";
        try
        {
            await context.SendMandatoryAsync(
                Topology.Lanes,
                LaneNames.RoutingKey(shadow),
                request with { PredictionId = ShadowIds.Of(request.PredictionId), Model = model },
                send =>
                {
                    send.Headers.Set(Topology.RouteHeader, RouteReasons.Shadow);
                    send.Headers.Set(Topology.RoutedModelHeader, model);
                    send.Headers.Set(Topology.ShadowOfHeader, request.PredictionId.ToString("D"));
                });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(
                "The shadow copy of prediction {PredictionId} for {Model} was dropped: {Reason}", request.PredictionId, model, ex.Message);
        }
    }

    private async Task PublishExpiredAsync(
        ConsumeContext<PredictionRequest> context, PredictionRequest request, ModelIdentity model, OutcomeTags tags, PredictionTimings timings)
    {
        logger.LogInformation(
            "Prediction {PredictionId} expired: its deadline {Deadline} passed before inference started", request.PredictionId, request.Deadline);
        await context.PublishOutcomeAsync(tags.On(request.Expired(worker, timings, clock.GetUtcNow(), model)));
        metrics.Stages(timings, request.SubmittedAt, model);
        metrics.Outcome("expired", model);
    }

    private async Task PublishFailedAsync(
        ConsumeContext<PredictionRequest> context,
        PredictionRequest request,
        ModelIdentity? model,
        OutcomeTags tags,
        string error,
        PredictionTimings timings)
    {
        logger.LogInformation("Prediction {PredictionId} failed: {Error}", request.PredictionId, error);
        await context.PublishOutcomeAsync(tags.On(request.Failed(worker, timings, clock.GetUtcNow(), error, model)));
        metrics.Stages(timings, request.SubmittedAt, model);
        metrics.Outcome("failed", model);
    }
}
