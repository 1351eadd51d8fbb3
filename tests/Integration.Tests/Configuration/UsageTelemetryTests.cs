using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Configuration;

/// <summary>
/// The hosts call no outside service unless a setting asks: MassTransit's usage telemetry, which it sends to its
/// vendor over HTTPS, is off unless <c>MassTransit:UsageTelemetry:Enabled</c> turns it on. Each host runs with
/// <c>HTTPS_PROXY</c> on a loopback proxy that records and refuses every call, and with the report asked for at
/// shutdown, so that telemetry that is on shows itself when the host stops instead of minutes later.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class UsageTelemetryTests(BrokerFixture fixture)
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Neither_host_attempts_an_outgoing_https_call_by_default()
    {
        await using var proxy = new RecordingProxy();
        var settings = ThroughProxy(proxy);

        var requests = await RequestsOfAStartAndStopAsync(proxy, settings);

        Assert.True(requests.Count == 0, $"Outgoing calls: {string.Join("; ", requests)}");
    }

    [Fact]
    public async Task Both_hosts_report_usage_telemetry_to_the_vendor_when_the_setting_turns_it_on()
    {
        await using var proxy = new RecordingProxy();
        var settings = new Dictionary<string, string>(ThroughProxy(proxy)) { ["MassTransit:UsageTelemetry:Enabled"] = "true" };

        var requests = await RequestsOfAStartAndStopAsync(proxy, settings);

        // One report from each host, to the vendor's usage-tracking address (refused here, so sent nowhere).
        Assert.Equal(2, requests.Count(r => r.StartsWith("CONNECT usage-tracking.masstransit.io:443 ", StringComparison.Ordinal)));
    }

    private static Dictionary<string, string> ThroughProxy(RecordingProxy proxy) => new()
    {
        ["HTTPS_PROXY"] = proxy.Url,
        ["MassTransit:UsageTelemetry:ReportOnShutdown"] = "true",
    };

    private async Task<IReadOnlyList<string>> RequestsOfAStartAndStopAsync(RecordingProxy proxy, IReadOnlyDictionary<string, string> settings)
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(settings);
        var gateway = await system.StartGatewayAsync(settings);

        foreach (var host in new[] { gateway, worker })
        {
            host.Terminate();
            Assert.True(await host.WaitForExitAsync(StopTimeout) == 0, $"{host.Name} did not stop cleanly:\n{host.Output}");
        }

        return proxy.Requests;
    }
}
