using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Predictions.Gateway.Auth;

namespace Predictions.Gateway.Tests.Auth;

public sealed class ApiKeyAuthenticationHandlerTests
{
    private const string AliceKey = "alice-0123456789abcdef";

    [Fact]
    public async Task A_key_in_x_api_key_authenticates_its_client()
    {
        var (handler, _) = await CreateAsync(request => request.Headers["X-Api-Key"] = AliceKey);

        var result = await handler.AuthenticateAsync();

        Assert.True(result.Succeeded);
        Assert.Equal("alice", result.Principal.ApiKeyName());
    }

    [Fact]
    public async Task A_bearer_token_works_the_same()
    {
        var (handler, _) = await CreateAsync(request => request.Headers.Authorization = $"bearer {AliceKey}");

        Assert.Equal("alice", (await handler.AuthenticateAsync()).Principal?.ApiKeyName());
    }

    [Fact]
    public async Task No_key_is_no_result_so_open_endpoints_stay_open()
    {
        var (handler, _) = await CreateAsync(request => request.Headers.Authorization = "Basic dXNlcjpwYXNz");

        var result = await handler.AuthenticateAsync();

        Assert.True(result.None);
    }

    [Theory]
    [InlineData("X-Api-Key", "alice-0123456789abcdeX")]
    [InlineData("X-Api-Key", "")]
    [InlineData("Authorization", "Bearer nope")]
    public async Task A_wrong_key_fails(string header, string value)
    {
        var (handler, _) = await CreateAsync(request => request.Headers[header] = value);

        var result = await handler.AuthenticateAsync();

        Assert.NotNull(result.Failure);
        Assert.DoesNotContain(AliceKey, result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_different_keys_in_one_request_fail_even_if_one_is_right()
    {
        var (handler, _) = await CreateAsync(request =>
        {
            request.Headers["X-Api-Key"] = AliceKey;
            request.Headers.Authorization = "Bearer bob-0123456789abcdef";
        });

        Assert.NotNull((await handler.AuthenticateAsync()).Failure);
    }

    [Fact]
    public async Task With_keys_off_nobody_is_authenticated_whatever_they_send()
    {
        var (handler, _) = await CreateAsync(request => request.Headers["X-Api-Key"] = AliceKey, keysOn: false);

        Assert.True((await handler.AuthenticateAsync()).None);
    }

    [Fact]
    public async Task The_challenge_is_a_401_problem_with_www_authenticate_that_says_what_was_wrong()
    {
        var (handler, http) = await CreateAsync(request => request.Headers["X-Api-Key"] = "wrong-0123456789abcdef");

        await handler.ChallengeAsync(new AuthenticationProperties());

        Assert.Equal(StatusCodes.Status401Unauthorized, http.Response.StatusCode);
        Assert.Contains("ApiKey header=\"X-Api-Key\"", http.Response.Headers.WWWAuthenticate.ToArray());
        Assert.Equal("application/problem+json", http.Response.ContentType);
        http.Response.Body.Position = 0;
        var problem = (await JsonDocument.ParseAsync(http.Response.Body)).RootElement;
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("The API key is not valid.", problem.GetProperty("detail").GetString());
    }

    private static async Task<(ApiKeyAuthenticationHandler Handler, HttpContext Http)> CreateAsync(Action<HttpRequest> request, bool keysOn = true)
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider() };
        http.Response.Body = new MemoryStream();
        request(http.Request);
        var auth = new AuthOptions();
        if (keysOn)
        {
            auth.ApiKeys = [new() { Name = "alice", Key = AliceKey }, new() { Name = "bob", Key = "bob-0123456789abcdef" }];
        }

        var handler = new ApiKeyAuthenticationHandler(
            new SchemeOptions(), NullLoggerFactory.Instance, UrlEncoder.Default, new ApiKeyRing(Options.Create(auth)));
        await handler.InitializeAsync(
            new AuthenticationScheme(ApiKeyAuthenticationHandler.SchemeName, null, typeof(ApiKeyAuthenticationHandler)), http);
        return (handler, http);
    }

    private sealed class SchemeOptions : IOptionsMonitor<AuthenticationSchemeOptions>
    {
        public AuthenticationSchemeOptions CurrentValue { get; } = new();

        public AuthenticationSchemeOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<AuthenticationSchemeOptions, string?> listener) => null;
    }
}
