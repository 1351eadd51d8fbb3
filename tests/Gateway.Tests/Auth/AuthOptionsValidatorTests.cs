using Predictions.Gateway.Auth;

namespace Predictions.Gateway.Tests.Auth;

public sealed class AuthOptionsValidatorTests
{
    private const string AliceKey = "alice-0123456789abcdef";
    private const string BobKey = "bob-0123456789abcdef";

    [Fact]
    public void No_keys_is_valid_and_means_off()
    {
        var options = new AuthOptions();

        Assert.True(Validate(options).Succeeded);
        Assert.False(options.Enabled);
    }

    [Fact]
    public void Named_keys_of_their_own_are_valid()
    {
        var options = Options(("alice", AliceKey), ("bob", BobKey));

        Assert.True(Validate(options).Succeeded);
        Assert.True(options.Enabled);
    }

    [Theory]
    [InlineData(null, "Auth:ApiKeys:1:Name")]
    [InlineData("", "Auth:ApiKeys:1:Name")]
    [InlineData("has space", "Auth:ApiKeys:1:Name")]
    [InlineData("ALICE", "Auth:ApiKeys:1:Name 'ALICE' is already the name of Auth:ApiKeys:0")]
    public void A_missing_malformed_or_repeated_name_fails_naming_the_setting(string? name, string message)
    {
        var result = Validate(Options(("alice", AliceKey), (name, BobKey)));

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short-key")]
    [InlineData("sixteen chars ok")]
    public void A_missing_short_or_unsendable_key_fails_naming_the_setting_without_echoing_it(string? key)
    {
        var result = Validate(Options(("alice", AliceKey), ("bob", key)));

        Assert.True(result.Failed);
        Assert.Contains("Auth:ApiKeys:1:Key", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(AliceKey, result.FailureMessage, StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(key))
        {
            Assert.DoesNotContain(key, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Two_clients_sharing_a_key_fail_without_echoing_it()
    {
        var result = Validate(Options(("alice", AliceKey), ("bob", AliceKey)));

        Assert.True(result.Failed);
        Assert.Contains("Auth:ApiKeys:1:Key is the same as Auth:ApiKeys:0:Key", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(AliceKey, result.FailureMessage, StringComparison.Ordinal);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(AuthOptions options) =>
        new AuthOptions.Validator().Validate(null, options);

    private static AuthOptions Options(params (string? Name, string? Key)[] keys) =>
        new() { ApiKeys = [.. keys.Select(k => new AuthOptions.ApiKey { Name = k.Name, Key = k.Key })] };
}
