using System.Text.Json;
using System.Text.Json.Serialization;

namespace Predictions.Gateway.Api;

public static class ApiExtensions
{
    /// <summary>The HTTP API: camelCase JSON, RFC 9457 problem details for every error.</summary>
    public static IHostApplicationBuilder AddPredictionApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        builder.Services.AddHealthChecks();
        return builder;
    }
}
