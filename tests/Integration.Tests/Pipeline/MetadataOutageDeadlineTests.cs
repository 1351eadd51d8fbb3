using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Pipeline;

/// <summary>
/// A metadata outage pauses the work, but a deadline still ends a request that waits on it: expired, not
/// failed and not waiting for the outage to end, with one audit row.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class MetadataOutageDeadlineTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private const long ItemId = 21;

    [Fact]
    public async Task A_deadline_that_passes_during_a_metadata_outage_ends_the_request_expired_with_one_audit_row()
    {
        await using var metadata = await MetadataServer.StartAsync();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(HttpMetadataTests.WithHttpMetadata(metadata));
        await system.StartGatewayAsync();

        // A first prediction while the service is up warms the worker, so the next one meets the outage in time.
        var warm = (await system.SubmitAsync(itemId: 20, featureValue: 2.0)).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(warm, Timeout)).GetProperty("status").GetString());
        metadata.Outage = true;
        var late = await SubmitAsync(system, new { itemId = ItemId, featureValue = 2.0, deadline = DateTimeOffset.UtcNow.AddSeconds(3) });

        // The outage lasts throughout: only the deadline can end the request.
        var expired = await system.WaitForOutcomeAsync(late, Timeout);
        Assert.True(metadata.Outage);
        Assert.Equal("expired", expired.GetProperty("status").GetString());
        Assert.Contains("deadline", expired.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, expired.GetProperty("prediction").ValueKind);
        Assert.True(
            metadata.RequestsFor(ItemId) > 0,
            $"The worker never asked the metadata service: the request expired before meeting the outage.\n{system.Describe()}");

        var audit = Assert.Single(await system.Audit.WaitForAsync([late], Timeout));
        Assert.Equal("expired", audit.Outcome);
        Assert.NotNull(audit.MetadataStartedAt);
        Assert.Null(audit.InferenceStartedAt);

        // Once the service is back the worker goes on; the expired request stays expired, audited once.
        metadata.Outage = false;
        var next = (await system.SubmitAsync(itemId: 22, featureValue: 2.0)).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(next, Timeout)).GetProperty("status").GetString());
        await system.Audit.WaitForAsync([warm, next], Timeout);
        Assert.Equal(
            ["completed", "expired", "completed"],
            (await system.Audit.ReadAsync()).OrderBy(r => r.PredictionId == warm ? 0 : r.PredictionId == late ? 1 : 2).Select(r => r.Outcome));
        Assert.Equal("expired", (await system.WaitForOutcomeAsync(late, Timeout)).GetProperty("status").GetString());
        Assert.Equal(0u, (await system.Broker.GetQueueAsync($"{Topology.WorkQueue}_error"))?.Messages ?? 0u);
    }

    private static async Task<string> SubmitAsync(PredictionSystem system, object body)
    {
        using var response = await system.Http.PostAsJsonAsync("/predictions", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
