using Microsoft.Extensions.Options;
using Predictions.Gateway.Auth;

namespace Predictions.Gateway.Tests.Auth;

public sealed class ApiKeyRingTests
{
    private readonly ApiKeyRing _ring = new(Options.Create(new AuthOptions
    {
        ApiKeys =
        [
            new() { Name = "alice", Key = "alice-0123456789abcdef" },
            new() { Name = "bob", Key = "bob-0123456789abcdef" },
        ],
    }));

    [Fact]
    public void A_configured_key_names_its_client()
    {
        Assert.True(_ring.Enabled);
        Assert.Equal("alice", _ring.FindName("alice-0123456789abcdef"));
        Assert.Equal("bob", _ring.FindName("bob-0123456789abcdef"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("alice")]
    [InlineData("alice-0123456789abcde")]
    [InlineData("alice-0123456789abcdef ")]
    [InlineData("ALICE-0123456789ABCDEF")]
    public void Anything_but_an_exact_key_names_nobody(string presented)
    {
        Assert.Null(_ring.FindName(presented));
    }

    [Fact]
    public void Without_keys_the_ring_is_off()
    {
        Assert.False(new ApiKeyRing(Options.Create(new AuthOptions())).Enabled);
    }
}
