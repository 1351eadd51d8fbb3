using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Predictions.Gateway.Auth;

/// <summary>
/// The <c>ApiKey</c> scheme: a client proves who it is with its key in <c>X-Api-Key</c> (or, for tools that
/// only know tokens, <c>Authorization: Bearer</c>). With no keys configured it authenticates nobody and
/// the API is open. A missing or wrong key is answered with 401 problem details and a challenge.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRing keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!keys.Enabled)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var (presented, problem) = Presented(Request.Headers);
        if (problem is not null)
        {
            return Task.FromResult(AuthenticateResult.Fail(problem));
        }

        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.FindName(presented) is not { } name)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.Append(HeaderNames.WWWAuthenticate, $"{SchemeName} header=\"{Header}\"");
        Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer");
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "A valid API key is required",
            detail: result.Failure?.Message ?? $"Send your API key in the {Header} header (or as 'Authorization: Bearer <key>').")
            .ExecuteAsync(Context);
    }

    /// <summary>The key the request carries, null when none; or why it carries no usable one.</summary>
    private static (string? Key, string? Problem) Presented(IHeaderDictionary headers)
    {
        var header = headers[Header];
        if (header.Count > 1)
        {
            return (null, $"Send one {Header} header.");
        }

        var bearer = headers.Authorization is [{ } authorization] && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
        var key = header.Count == 1 ? header[0] : null;
        if (key is not null && bearer is not null && !string.Equals(key, bearer, StringComparison.Ordinal))
        {
            return (null, $"The {Header} and Authorization headers carry different keys: send one.");
        }

        return (key ?? bearer, null);
    }
}
