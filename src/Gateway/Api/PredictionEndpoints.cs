using MassTransit;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Gateway.Status;

namespace Predictions.Gateway.Api;

public static class PredictionEndpoints
{
    public static IEndpointRouteBuilder MapPredictions(this IEndpointRouteBuilder app)
    {
        var predictions = app.MapGroup("/predictions");
        predictions.MapPost("/", SubmitAsync);
        predictions.MapGet("/{id:guid}", GetAsync);
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
        IOptions<GatewayOptions> options,
        TimeProvider clock,
        ILogger<PredictionRequest> logger)
    {
        var (submission, problem) = await SubmissionReader.ReadAsync(http.Request, options.Value, http.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        var request = new PredictionRequest
        {
            PredictionId = Guid.CreateVersion7(),
            ItemId = submission!.ItemId,
            FeatureValue = submission.FeatureValue,
            SubmittedAt = clock.GetUtcNow(),
        };

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(options.Value.PublishTimeout);
        try
        {
            await publisher.Publish(request, context => context.MessageId = request.PredictionId, deadline.Token);
        }
        catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Broker did not confirm prediction {PredictionId}", request.PredictionId);
            http.Response.Headers.RetryAfter = "5";
            return Results.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The message broker is unavailable",
                detail: $"The request was not queued: the broker did not confirm it within {options.Value.PublishTimeout.TotalSeconds:0.#} s. Nothing was stored; submit it again.");
        }

        await store.AddQueuedAsync(request, CancellationToken.None);
        var record = new PredictionRecord(request.PredictionId, PredictionStatus.Queued, request.ItemId, request.FeatureValue, null, null, null, request.SubmittedAt, null);
        return Results.Accepted($"/predictions/{request.PredictionId}", record);
    }

    private static async Task<IResult> GetAsync(Guid id, PredictionStatusStore store, CancellationToken cancellationToken)
    {
        var record = await store.FindAsync(id, cancellationToken);
        return record is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Prediction not found", detail: $"No prediction has the id {id}.")
            : Results.Ok(record);
    }
}
