using MassTransit.UsageTracking;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Predictions.Messaging.Tests;

/// <summary>
/// MassTransit's usage telemetry as both hosts register it (<see cref="MessagingExtensions.AddMessaging"/>): the
/// tracker that MassTransit consults before it reports anything to its vendor is off unless a setting turns it on.
/// </summary>
public sealed class UsageTelemetryOptionsTests
{
    [Fact]
    public async Task The_usage_tracker_is_off_by_default()
    {
        Assert.False(await TrackerEnabledWithAsync([]));
    }

    [Fact]
    public async Task The_setting_turns_the_usage_tracker_on()
    {
        Assert.True(await TrackerEnabledWithAsync(new() { ["MassTransit:UsageTelemetry:Enabled"] = "true" }));
    }

    private static async Task<bool> TrackerEnabledWithAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:RabbitMq"] = "amqp://guest:guest@127.0.0.1:5672/";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMessaging(typeof(UsageTelemetryOptionsTests).Assembly);
        var host = builder.Build();

        // Disposed asynchronously: the tracker it made is disposable only so.
        await using var disposal = (IAsyncDisposable)host;
        return ((UsageTracker)host.Services.GetRequiredService<IUsageTracker>()).Enabled;
    }
}
