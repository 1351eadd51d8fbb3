using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Predictions.Gateway.Auth;

/// <summary>
/// With keys on, the OpenAPI document says that <c>/predictions</c> wants an <c>X-Api-Key</c>, so the
/// reference at <c>/scalar/</c> and generated clients ask for one. With keys off it says nothing.
/// </summary>
public sealed class ApiKeyOpenApi(IOptions<AuthOptions> auth) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (!auth.Value.Enabled)
        {
            return Task.CompletedTask;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.Header,
            Description = "The client's API key; 'Authorization: Bearer <key>' works too.",
        };

        var requirement = new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
        };
        foreach (var (path, item) in document.Paths)
        {
            if (path.StartsWith("/predictions", StringComparison.Ordinal) && item.Operations is { } operations)
            {
                foreach (var operation in operations.Values)
                {
                    operation.Security ??= [];
                    operation.Security.Add(requirement);
                }
            }
        }

        return Task.CompletedTask;
    }
}
