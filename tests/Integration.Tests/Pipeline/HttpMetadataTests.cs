using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.ServiceDefaults.Messaging;

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

    public static Dictionary<string, string> WithHttpMetadata(MetadataServer metadata, IReadOnlyDictionary<string, string>? settings = null) =>
        new(settings ?? Settings.QuickModel)
        {
            ["Metadata:Source"] = "Http",
            ["Metadata:BaseUrl"] = metadata.BaseUrl.ToString(),
        };
}
