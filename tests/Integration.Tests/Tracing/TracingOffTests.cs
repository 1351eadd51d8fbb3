using System.Text.RegularExpressions;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Tracing;

/// <summary>Without an OTLP endpoint the hosts export nothing and work as before.</summary>
[Collection(BrokerCollection.Name)]
public sealed class TracingOffTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Without_an_endpoint_a_prediction_completes_nothing_is_exported_and_both_hosts_say_tracing_is_off()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        // The protocol alone, as a deployment that left the endpoint out would have it.
        var protocolOnly = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf", ["OTEL_BSP_SCHEDULE_DELAY"] = "200" };
        var worker = await system.StartWorkerAsync(new Dictionary<string, string>(Settings.QuickModel).Concat(protocolOnly).ToDictionary());
        var gateway = await system.StartGatewayAsync(protocolOnly);

        var id = (await system.SubmitAsync(5, 1.5)).GetProperty("id").GetString()!;

        Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
        await worker.WaitForOutputAsync(TracingOff(), Timeout);
        await gateway.WaitForOutputAsync(TracingOff(), Timeout);
        Assert.DoesNotContain("Tracing on", worker.Output + gateway.Output, StringComparison.Ordinal);
        Assert.Equal(0, receiver.RequestCount);
    }

    private static Regex TracingOff() => new("Tracing off", RegexOptions.None, TimeSpan.FromSeconds(1));
}
