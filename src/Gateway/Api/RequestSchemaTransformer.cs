using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Predictions.Contracts;
using Predictions.Messaging.Requests;

namespace Predictions.Gateway.Api;

/// <summary>
/// The body schema of <c>POST /predictions</c> is <see cref="PredictionRequest"/>'s own (names, types, formats, required,
/// descriptions): this only leaves out what the gateway sets and adds each field's example, both from the validator.
/// </summary>
internal sealed class RequestSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type != typeof(PredictionRequest) || schema.Properties is null)
        {
            return Task.CompletedTask;
        }

        foreach (var field in PredictionRequestValidator.Fields)
        {
            if (PredictionRequestValidator.SetByGateway.Contains(field.Name))
            {
                schema.Properties.Remove(field.Name);
                schema.Required?.Remove(field.Name);
            }
            else if (schema.Properties.TryGetValue(field.Name, out var property) && property is OpenApiSchema own
                && PredictionRequestValidator.Example(field) is { } example)
            {
                own.Examples = [example];
            }
        }

        return Task.CompletedTask;
    }
}
