using System.Text.RegularExpressions;
using Predictions.Harness;

namespace Predictions.Integration.Tests.Configuration;

/// <summary>A bad setting stops a service at start-up with a message that names the setting.</summary>
public sealed partial class StartupValidationTests
{
    public static TheoryData<string, string, string, string> BadSettings => new()
    {
        { "Worker", "Inference__MaxConcurrency", "0", "Inference:MaxConcurrency" },
        { "Worker", "Model__SimulatedCost", "-00:00:01", "Model:SimulatedCost" },
        { "Worker", "Metadata__SimulatedLatency", "02:00:00", "Metadata:SimulatedLatency" },
        { "Worker", "Worker__MaxInFlight", "0", "Worker:MaxInFlight" },
        { "Worker", "Model__SimulatedCrashFeatureValue", "NaN", "Model:SimulatedCrashFeatureValue" },
        { "Worker", "Inference__JournalFile", "", "Inference:JournalFile" },
        { "Worker", "Inference__MaxBatchSize", "0", "Inference:MaxBatchSize" },
        { "Worker", "Inference__MaxBatchDelay", "00:01:00", "Inference:MaxBatchDelay" },
        { "Worker", "Inference__MaxBatchSize", "8", "Inference:MaxBatchSize is 8, but the model 'simulated' takes one input per call" },
        { "Worker", "WorkQueue__SuspectDeliveryLimit", "0", "WorkQueue:SuspectDeliveryLimit" },
        { "Gateway", "WorkQueue__DeliveryLimit", "0", "WorkQueue:DeliveryLimit" },
        { "Gateway", "WorkQueue__QuorumInitialGroupSize", "0", "WorkQueue:QuorumInitialGroupSize" },
        {
            "Worker", "ConnectionStrings__RabbitMq", "amqp://guest:guest@127.0.0.1:1,127.0.0.1:port/",
            "ConnectionStrings:RabbitMq has a host that is not host or host:port"
        },
        { "Worker", "ConnectionStrings__Audit", "", "ConnectionStrings:Audit" },
        { "Worker", "ConnectionStrings__RabbitMq", "localhost", "ConnectionStrings:RabbitMq" },
        { "Worker", "Probes__Url", "http://localhost/", "Probes:Url" },
        { "Gateway", "ConnectionStrings__RabbitMq", "", "ConnectionStrings:RabbitMq" },
        { "Gateway", "ConnectionStrings__Results", "", "ConnectionStrings:Results" },
        { "Gateway", "Gateway__PublishTimeout", "00:00:00", "Gateway:PublishTimeout" },
        { "Gateway", "Gateway__MaxWait", "01:00:00", "Gateway:MaxWait" },
        { "Gateway", "Gateway__StoreTimeout", "00:00:00", "Gateway:StoreTimeout" },
        { "Gateway", "Auth__ApiKeys__0__Name", "alice", "Auth:ApiKeys:0:Key" },
        { "Gateway", "Auth__RateLimit__Burst", "0", "Auth:RateLimit:Burst" },
        { "Gateway", "Auth__RateLimit__PermitsPerSecond", "500", "Auth:RateLimit:Burst must be at least Auth:RateLimit:PermitsPerSecond" },
    };

    [Fact]
    public async Task A_short_api_key_stops_the_gateway_naming_the_setting_but_never_the_key()
    {
        var process = ServiceProcess.Start("Gateway", new Dictionary<string, string>
        {
            ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
            ["ConnectionStrings__Results"] = "Data Source=:memory:",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Auth__ApiKeys__0__Name"] = "alice",
            ["Auth__ApiKeys__0__Key"] = "s3cret-short",
        });
        await using var _ = process;

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Auth:ApiKeys:0:Key", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-short", process.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Bad_setting_stops_the_service_with_a_message_naming_it(string service, string variable, string value, string setting)
    {
        var (process, folder) = StartWithUnreachableBroker(service, new() { [variable] = value });
        await using var _ = process;

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        folder.Delete(recursive: true);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(setting, process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_value_without_fault_injection_allowed_stops_the_worker_naming_both_settings()
    {
        var (process, folder) = StartWithUnreachableBroker("Worker", new() { ["Model__SimulatedCrashFeatureValue"] = "-7" });
        await using var _ = process;

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        folder.Delete(recursive: true);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Model:SimulatedCrashFeatureValue is -7", process.Output, StringComparison.Ordinal);
        Assert.Contains("Model:AllowFaultInjection=true", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_allowed_to_inject_faults_warns_at_start_up_naming_the_setting_and_the_crash_value()
    {
        var (process, folder) = StartWithUnreachableBroker("Worker", new()
        {
            ["Model__SimulatedCrashFeatureValue"] = "-7",
            ["Model__AllowFaultInjection"] = "true",
        });
        Match warning;
        await using (process)
        {
            // It starts (the broker it cannot reach does not stop it), saying in which environment.
            warning = await process.WaitForOutputAsync(FaultInjectionWarning(), TimeSpan.FromSeconds(60));
            Assert.False(process.HasExited, process.Output);
        }

        folder.Delete(recursive: true);
        Assert.Contains("in the Production environment", warning.Value, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts a service whose broker is unreachable, in a folder of its own: a worker that gets far enough
    /// writes its inference journal there.
    /// </summary>
    private static (ServiceProcess Process, DirectoryInfo Folder) StartWithUnreachableBroker(string service, Dictionary<string, string> settings)
    {
        var folder = Directory.CreateTempSubdirectory("predictions-startup-");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
            ["ConnectionStrings__Audit"] = "Data Source=:memory:",
            ["ConnectionStrings__Results"] = "Data Source=:memory:",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Probes__Url"] = $"http://127.0.0.1:{Ports.Free()}/",
        };
        foreach (var (variable, value) in settings)
        {
            environment[variable] = value;
        }

        return (ServiceProcess.Start(service, environment, folder.FullName), folder);
    }

    [GeneratedRegex(@"^warn: .*Fault injection is allowed \(Model:AllowFaultInjection\).*featureValue -7 \(Model:SimulatedCrashFeatureValue\)")]
    private static partial Regex FaultInjectionWarning();
}
