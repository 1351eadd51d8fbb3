using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Predictions.Messaging.Outages;
using Predictions.ServiceDefaults.Resilience;

namespace Predictions.Messaging.Tests.Outages;

public sealed class OutageWaitTests
{
    [Fact]
    public async Task An_outage_is_waited_out_with_the_configured_pauses_repeating_the_last()
    {
        var clock = new FakeTimeProvider();
        var settings = new Dictionary<string, string?> { ["Retries:OutageWaits:Intervals"] = "00:00:01,00:00:03" };
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<OutageWait>();
        services.AddOptions<OutageOptions>();
        services.AddRetryPolicy(RetryPolicies.OutageWaits);
        await using var provider = services.BuildServiceProvider();
        var wait = provider.GetRequiredService<OutageWait>();
        var receivedAt = clock.GetUtcNow();

        Assert.Equal(TimeSpan.FromSeconds(1), await PauseAsync(wait, clock, retry: 0, receivedAt));
        Assert.Equal(TimeSpan.FromSeconds(3), await PauseAsync(wait, clock, retry: 1, receivedAt));
        Assert.Equal(TimeSpan.FromSeconds(3), await PauseAsync(wait, clock, retry: 7, receivedAt));
    }

    /// <summary>How long one pause lasts on the fake clock, stepped a millisecond at a time.</summary>
    private static async Task<TimeSpan> PauseAsync(OutageWait wait, FakeTimeProvider clock, int retry, DateTimeOffset receivedAt)
    {
        var start = clock.GetUtcNow();
        var pause = wait.PauseAsync(retry, receivedAt, new TimeoutException("down"), CancellationToken.None);
        while (!pause.IsCompleted)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Yield();
        }

        await pause;
        return clock.GetUtcNow() - start;
    }
}
