using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;

namespace Predictions.Gateway.Auth;

public static class AuthExtensions
{
    private const string Policy = "api-key";

    /// <summary>Optional API keys (<c>Auth:ApiKeys</c>) and a rate limit per key (<c>Auth:RateLimit</c>).</summary>
    public static IHostApplicationBuilder AddApiKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptions.Validator>();
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .ValidateOnStart();
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.Section)
            .ValidateDataAnnotations()
            .Validate(limits => limits.Burst >= limits.PermitsPerSecond,
                "Auth:RateLimit:Burst must be at least Auth:RateLimit:PermitsPerSecond: a second's permits must fit in the bucket.")
            .ValidateOnStart();

        builder.Services.AddSingleton<ApiKeyRing>();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, configureOptions: null);

        // With keys on the policy wants an authenticated client; with keys off it lets everyone in.
        builder.Services.AddAuthorization();
        builder.Services.AddOptions<AuthorizationOptions>().Configure<IOptions<AuthOptions>>((authorization, auth) =>
            authorization.AddPolicy(Policy, policy =>
            {
                policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName);
                if (auth.Value.Enabled)
                {
                    policy.RequireAuthenticatedUser();
                }
                else
                {
                    policy.RequireAssertion(_ => true);
                }
            }));

        builder.Services.AddRateLimiter(PredictionRateLimit.Configure);
        builder.Services.Configure<OpenApiOptions>("v1", openApi => openApi.AddDocumentTransformer<ApiKeyOpenApi>());
        return builder;
    }

    /// <summary>
    /// Who the client is, whether it may come in, whether it is over its rate: in that order. With keys off every
    /// client is the one anonymous client, whom nothing holds back, so the three are left out of the pipeline
    /// rather than run for nothing on every request.
    /// </summary>
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app)
    {
        if (KeysOn(app.ApplicationServices))
        {
            return app.UseAuthentication().UseAuthorization().UseRateLimiter();
        }

        // WebApplication adds authentication and authorization by itself wherever their services are registered, unless
        // the application placed them: these are the marks UseAuthentication and UseAuthorization leave.
        app.Properties["__AuthenticationMiddlewareSet"] = true;
        app.Properties["__AuthorizationMiddlewareSet"] = true;
        return app;
    }

    /// <summary>The endpoints need an API key when keys are on, and count against its rate limit.</summary>
    public static RouteGroupBuilder RequireApiKey(this RouteGroupBuilder group) =>
        KeysOn(((IEndpointRouteBuilder)group).ServiceProvider)
            ? group.RequireAuthorization(Policy).RequireRateLimiting(PredictionRateLimit.Policy)
            : group;

    private static bool KeysOn(IServiceProvider services) => services.GetRequiredService<IOptions<AuthOptions>>().Value.Enabled;
}
