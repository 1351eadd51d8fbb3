using System.Security.Claims;

namespace Predictions.Gateway.Auth;

public static class ClientPrincipal
{
    /// <summary>The name of the API key the request was made with; null when keys are off.</summary>
    public static string? ApiKeyName(this ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, AuthenticationType: ApiKeyAuthenticationHandler.SchemeName, Name: { } name } ? name : null;
}
