using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Predictions.ServiceDefaults.Resilience;
using Scalar.AspNetCore;

namespace Predictions.Gateway.Api;

public static class ApiExtensions
{
    /// <summary>
    /// The HTTP API: submitting and reading predictions, camelCase JSON, RFC 9457 problem details for every error, an OpenAPI description.
    /// </summary>
    public static IHostApplicationBuilder AddPredictionApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // A pause the Gateway:StoreTimeout deadline ends first is cut short: the try after it reports the timeout.
        builder.Services.AddRetryPolicy(RetryPolicies.SubmissionWrites);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PredictionLookup>();
        builder.Services.AddSingleton<SubmissionRecorder>();
        builder.Services.AddSingleton<ShadowCopies>();

        // Scoped: it publishes through the request's scoped IPublishEndpoint.
        builder.Services.AddScoped<PredictionSubmission>();

        // A problem names the trace of its request, as a tracing UI searches for it, so a bug report leads to the trace.
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = problem =>
            problem.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? problem.HttpContext.TraceIdentifier);
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        builder.Services.AddOpenApi(openApi => openApi.AddSchemaTransformer<RequestSchemaTransformer>());
        return builder;
    }

    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and a browsable reference at <c>/scalar</c>.</summary>
    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(reference => reference.WithTitle("Predictions API"));
        return app;
    }
}
