using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Predictions.Worker.CrashRecovery;
using Predictions.Worker.Inference;
using Predictions.Worker.Lanes;
using Predictions.Worker.Models;
using Predictions.Worker.Pipeline;
using Predictions.Worker.Telemetry;

namespace Predictions.Worker.Tests.Models;

/// <summary>
/// <c>Model:SimulatedCrashFeatureValue</c> lets one request kill the worker: the host refuses it unless
/// <c>Model:AllowFaultInjection</c> says so, in every environment, and warns when it is allowed.
/// </summary>
public sealed class FaultInjectionTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("predictions-faults-");

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task A_crash_value_without_the_allow_setting_stops_the_host_naming_both_settings(string environment)
    {
        using var host = Build(environment, new() { ["Model:SimulatedCrashFeatureValue"] = "-7.5" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Model:SimulatedCrashFeatureValue is -7.5", error.Message, StringComparison.Ordinal);
        Assert.Contains("Model:AllowFaultInjection=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_value_with_fault_injection_allowed_starts_with_a_warning_naming_the_setting_and_the_value()
    {
        using var host = Build("Production", new()
        {
            ["Model:SimulatedCrashFeatureValue"] = "-7.5",
            ["Model:AllowFaultInjection"] = "true",
        });

        await host.StartAsync();
        await host.StopAsync();

        var warning = Assert.Single(
            host.Services.GetFakeLogCollector().GetSnapshot(), log => log.Category == typeof(FaultInjectionWarning).FullName);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Model:AllowFaultInjection", warning.Message, StringComparison.Ordinal);
        Assert.Contains("featureValue -7.5 (Model:SimulatedCrashFeatureValue)", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Production", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fault_injection_allowed_without_a_fault_still_warns()
    {
        using var host = Build("Development", new() { ["Model:AllowFaultInjection"] = "true" });

        await host.StartAsync();
        await host.StopAsync();

        var warning = Assert.Single(
            host.Services.GetFakeLogCollector().GetSnapshot(), log => log.Category == typeof(FaultInjectionWarning).FullName);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Model:AllowFaultInjection", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_without_fault_injection_starts_without_a_warning()
    {
        using var host = Build("Production", []);

        await host.StartAsync();
        await host.StopAsync();

        Assert.DoesNotContain(host.Services.GetFakeLogCollector().GetSnapshot(), log => log.Level >= LogLevel.Warning);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private IHost Build(string environment, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = _folder.FullName,
            EnvironmentName = environment,
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Inference:JournalFile"] = Path.Combine(_folder.FullName, "inference.journal"),
            ["Model:SimulatedCost"] = "00:00:00",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddFakeLogging();
        builder.AddWorkerTelemetry();
        builder.AddPipeline();
        builder.AddLanes();
        builder.AddInference();
        builder.AddCrashRecovery();
        return builder.Build();
    }
}
