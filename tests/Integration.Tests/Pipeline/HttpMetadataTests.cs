using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Pipeline;

/// <summary>The worker with its metadata from a real HTTP service (<c>Metadata:Source=Http</c>).</summary>
[Collection(BrokerCollection.Name)]
public sealed class HttpMetadataTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Predictions_carry_the_services_features_and_an_unknown_item_fails_with_its_reason()
    {
        await using var metadata = await MetadataServer.StartAsync();
        metadata.UnknownItems[404] = true;
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(WithHttpMetadata(metadata));
        await system.StartGatewayAsync();

        var known = (await system.SubmitAsync(12, 1.5)).GetProperty("id").GetString()!;
        var unknown = (await system.SubmitAsync(404, 1.5)).GetProperty("id").GetString()!;

        var completed = await system.WaitForOutcomeAsync(known, Timeout);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(3, completed.GetProperty("prediction").GetDouble());
        Assert.Equal(MetadataServer.FeaturesOf(12)["price"], completed.GetProperty("metadata").GetProperty("price").GetDouble());

        var failed = await system.WaitForOutcomeAsync(unknown, Timeout);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains("unknown item 404", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", Assert.Single(await system.Audit.WaitForAsync([unknown], Timeout)).Outcome);
        Assert.Equal(1, metadata.RequestsFor(404));
        Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.WorkQueue + "_error"))?.Messages ?? 0u);
    }

    [Fact]
    public async Task An_item_the_service_keeps_failing_ends_failed_within_the_budget_while_the_other_items_keep_completing()
    {
        await using var metadata = await MetadataServer.StartAsync();
        metadata.FailingItems[8] = true;
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var budget = TimeSpan.FromSeconds(3);
        await system.StartWorkerAsync(WithHttpMetadata(metadata, new Dictionary<string, string>(Settings.QuickModel)
        {
            // Few slots, so that requests for the bad item could hold them all; quick retries within one fetch.
            ["Worker:MaxInFlight"] = "4",
            ["Metadata:Retries"] = "1",
            ["Metadata:RetryDelay"] = "00:00:00.05",
            ["Metadata:ItemFailureBudget"] = $"{budget}",
        }));
        await system.StartGatewayAsync();

        // Until the service has answered some item, a failing one cannot be told from an outage.
        var first = (await system.SubmitAsync(99, 1)).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(first, Timeout)).GetProperty("status").GetString());

        // More requests for the bad item than the worker has slots, then the others behind them.
        var bad = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            bad.Add((await system.SubmitAsync(8, i)).GetProperty("id").GetString()!);
        }

        var good = new List<(string Id, long Item)>();
        for (var item = 100; item < 130; item++)
        {
            good.Add(((await system.SubmitAsync(item, 1)).GetProperty("id").GetString()!, item));
        }

        foreach (var (id, item) in good)
        {
            var outcome = await system.WaitForOutcomeAsync(id, Timeout);
            Assert.Equal("completed", outcome.GetProperty("status").GetString());
            Assert.Equal(MetadataServer.FeaturesOf(item)["price"], outcome.GetProperty("metadata").GetProperty("price").GetDouble());
        }

        var waits = new List<TimeSpan>();
        foreach (var id in bad)
        {
            var outcome = await system.WaitForOutcomeAsync(id, Timeout);
            Assert.Equal("failed", outcome.GetProperty("status").GetString());
            Assert.StartsWith(
                "the metadata service kept failing for item 8 for ", outcome.GetProperty("error").GetString(), StringComparison.Ordinal);
            waits.Add(outcome.GetProperty("completedAt").GetDateTimeOffset() - outcome.GetProperty("submittedAt").GetDateTimeOffset());
        }

        // The first ones wait their budget (and a fetch's retries beyond it); once the item is known to fail, the rest fail at once.
        Assert.InRange(waits.Max(), budget, budget + TimeSpan.FromSeconds(20));
        Assert.Equal(bad.Count, (await system.Audit.WaitForAsync(bad, Timeout)).Count(row => row.Outcome == "failed"));
        Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.WorkQueue + "_error"))?.Messages ?? 0u);
    }

    public static Dictionary<string, string> WithHttpMetadata(MetadataServer metadata, IReadOnlyDictionary<string, string>? settings = null) =>
        new(settings ?? Settings.QuickModel)
        {
            ["Metadata:Source"] = "Http",
            ["Metadata:BaseUrl"] = metadata.BaseUrl.ToString(),
        };
}
