using Microsoft.AspNetCore.Http.HttpResults;
using Predictions.Contracts;
using Predictions.Gateway.Auth;
using Predictions.Gateway.Status;
using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Gateway.Api;

public static class PredictionEndpoints
{
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
            .Accepts<PredictionRequest>("application/json")

            // A problem's status is known only when it is answered: the handler's signature cannot tell these.
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        predictions.MapGet("/{id:guid}", GetAsync)
            .WithSummary("Get a prediction")
            .WithDescription("Its status and, once finished, its result or error, the model version that computed it (`model`) "
                + "and why that version (`route`). "
                + "With `?wait=seconds` the answer comes as soon as it finishes, or when the wait ends. "
                + "A prediction submitted with another API key is 404, like an unknown id.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    private static Task<Results<Ok<PredictionRecord>, Accepted<PredictionRecord>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpRequest request, PredictionSubmission submission) => submission.SubmitAsync(request);

    private static async Task<Results<Ok<PredictionRecord>, ValidationProblem, ProblemHttpResult>> GetAsync(
        Guid id, HttpRequest request, [AsParameters] PollServices services)
    {
        PredictionTracing.Tag(id);
        var (wait, problem) = RequestParameters.Wait(request, services.Options.Value);
        if (problem is not null)
        {
            return problem;
        }

        var aborted = request.HttpContext.RequestAborted;
        PredictionRecord? record;
        try
        {
            record = await services.Lookup.FindAsync(id, request.HttpContext.User.ApiKeyName(), wait, aborted);
        }
        catch (Exception ex) when (StoreOutage.Is(ex, aborted))
        {
            services.Logger.LogWarning("Prediction {PredictionId} could not be read, so the poll was answered 503: {Reason}", id, ex.Message);
            return StoreOutage.Problem(request.HttpContext,
                "The results store is unavailable, so the prediction cannot be read right now. Poll again after Retry-After.");
        }

        return record is null
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: "Prediction not found", detail: $"No prediction has the id {id}.")
            : TypedResults.Ok(record);
    }
}
