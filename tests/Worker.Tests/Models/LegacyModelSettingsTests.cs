using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Predictions.Worker.Lanes;
using Predictions.Worker.Models;

namespace Predictions.Worker.Tests.Models;

/// <summary>
/// The simulated model's settings moved from <c>Inference:</c> to <c>Model:</c>: the old keys still take effect,
/// as other names of the new ones, and the worker names the new key in a start-up warning.
/// </summary>
public sealed class LegacyModelSettingsTests
{
    [Fact]
    public void The_old_keys_still_take_effect()
    {
        using var host = Build(new()
        {
            ["Inference:SimulatedCost"] = "00:00:00.25",
            ["Inference:SimulatedCostKind"] = "Cpu",
            ["Inference:SimulatedCpuIterations"] = "1234",
            ["Inference:SimulatedCrashFeatureValue"] = "-7.5",
            ["Inference:AllowFaultInjection"] = "true",
        });

        var model = host.Services.GetRequiredService<IOptions<ModelOptions>>().Value;

        Assert.Equal(TimeSpan.FromMilliseconds(250), model.SimulatedCost);
        Assert.Equal(SimulatedCostKind.Cpu, model.SimulatedCostKind);
        Assert.Equal(1234, model.SimulatedCpuIterations);
        Assert.Equal(-7.5, model.SimulatedCrashFeatureValue);
        Assert.True(model.AllowFaultInjection);
    }

    [Fact]
    public void An_old_key_without_fault_injection_allowed_is_refused_like_the_new_one()
    {
        using var host = Build(new() { ["Inference:SimulatedCrashFeatureValue"] = "-7.5" });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<ModelOptions>>().Value);

        Assert.Contains("Model:AllowFaultInjection=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Where_both_keys_are_set_the_later_source_wins_as_for_any_setting()
    {
        // appsettings.json with the new key, then an environment variable with the old one; and the other way round.
        using var oldLater = Build(new() { ["Model:SimulatedCost"] = "00:00:01" }, new() { ["Inference:SimulatedCost"] = "00:00:02" });
        using var newLater = Build(new() { ["Inference:SimulatedCost"] = "00:00:02" }, new() { ["Model:SimulatedCost"] = "00:00:03" });

        Assert.Equal(TimeSpan.FromSeconds(2), oldLater.Services.GetRequiredService<IOptions<ModelOptions>>().Value.SimulatedCost);
        Assert.Equal(TimeSpan.FromSeconds(3), newLater.Services.GetRequiredService<IOptions<ModelOptions>>().Value.SimulatedCost);
    }

    [Fact]
    public async Task An_old_key_is_named_at_start_up_in_a_warning_with_its_new_key()
    {
        using var host = Build(new() { ["Inference:SimulatedCost"] = "00:00:00", ["Inference:SimulatedCostKind"] = "Sleep" });

        await host.StartAsync();
        await host.StopAsync();

        var warnings = host.Services.GetFakeLogCollector().GetSnapshot()
            .Where(log => log.Category == typeof(LegacyModelSettingsWarning).FullName)
            .ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, warning => Assert.Equal(LogLevel.Warning, warning.Level));
        Assert.Contains(
            warnings, warning => warning.Message.Contains("Inference:SimulatedCost is now Model:SimulatedCost", StringComparison.Ordinal));
        Assert.Contains(
            warnings, warning => warning.Message.Contains("Inference:SimulatedCostKind is now Model:SimulatedCostKind", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_new_keys_start_without_a_warning()
    {
        using var host = Build(new() { ["Model:SimulatedCost"] = "00:00:00", ["Inference:MaxConcurrency"] = "2" });

        await host.StartAsync();
        await host.StopAsync();

        Assert.DoesNotContain(host.Services.GetFakeLogCollector().GetSnapshot(), log => log.Level >= LogLevel.Warning);
    }

    /// <summary>A host whose configuration sources are <paramref name="first"/>, then <paramref name="later"/>.</summary>
    private static IHost Build(Dictionary<string, string?> first, Dictionary<string, string?>? later = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(first);
        builder.Configuration.AddInMemoryCollection(later ?? []);
        builder.Logging.AddFakeLogging();
        builder.AddLanes();
        return builder.Build();
    }
}
