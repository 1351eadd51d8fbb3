using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Tracing;

/// <summary>Sampling by ratio keeps or drops a prediction's trace whole, on every host it crosses.</summary>
[Collection(BrokerCollection.Name)]
public sealed class TracingSamplingTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private const int Predictions = 24;

    [Fact]
    public async Task At_half_the_traces_each_prediction_is_traced_on_both_hosts_or_on_neither()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var sampling = new Dictionary<string, string>(TracedSystem.ExportingTo(receiver))
        {
            ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = "0.5",
        };
        await system.StartWorkerAsync(new Dictionary<string, string>(Settings.QuickModel).Concat(sampling).ToDictionary());
        await system.StartGatewayAsync(sampling);

        var accepted = await Task.WhenAll(Enumerable.Range(1, Predictions).Select(item => system.SubmitAsync(item, item / 10.0)));
        var ids = accepted.Select(a => a.GetProperty("id").GetString()!).ToList();
        foreach (var id in ids)
        {
            Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
        }

        // Every sampled prediction's trace is whole once its audit write, the last span, has arrived; then nothing
        // about an unsampled one may have arrived either.
        await receiver.WaitForAsync(
            spans => ids.Where(id => spans.About(id).Any(s => s.Service == Traces.Gateway && s.Name == "status.write")).ToList()
                is { Count: > 0 } sampled
                && sampled.All(id => spans.About(id).Any(s => s.Name == "audit.write")),
            Timeout);

        // What was not sampled shows only by never arriving: give the exporters (200 ms apart) time to send anything left.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var spans = receiver.Spans;

        var kept = ids.Where(id => spans.About(id).Any()).ToList();
        Assert.InRange(kept.Count, 1, Predictions - 1);
        foreach (var id in kept)
        {
            var about = spans.About(id).ToList();
            Assert.Single(about.Select(s => s.TraceId).Distinct());
            Assert.Contains(about, s => s.Service == Traces.Gateway && s.Name == "status.write");
            Assert.Contains(about, s => s.Service == Traces.Worker && s.Name == "inference");
            Assert.Contains(about, s => s.Service == Traces.Worker && s.Name == "audit.write");
        }
    }
}
