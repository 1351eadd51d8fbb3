using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Pipeline;

/// <summary>A request may carry a deadline: once it passes before inference starts, the prediction ends as expired.</summary>
[Collection(BrokerCollection.Name)]
public sealed class DeadlineTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a request may take from the test to the start of its fetch, even on a loaded machine.</summary>
    private static readonly TimeSpan ToTheFetch = TimeSpan.FromSeconds(4);

    /// <summary>A metadata fetch longer than <see cref="ToTheFetch"/>, so a deadline that far ahead passes while it runs.</summary>
    private static readonly IReadOnlyDictionary<string, string> SlowMetadata = new Dictionary<string, string>
    {
        ["Metadata:SimulatedLatency"] = "00:00:06",
        ["Model:SimulatedCost"] = "00:00:00.05",
    };

    [Fact]
    public async Task A_deadline_that_passes_during_the_fetch_ends_as_expired_for_pollers_and_in_the_audit()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(SlowMetadata);
        await system.StartGatewayAsync();

        var late = await SubmitAsync(system, new { itemId = 1, featureValue = 2.0, deadline = DateTimeOffset.UtcNow + ToTheFetch });
        var unhurried = await SubmitAsync(system, new { itemId = 2, featureValue = 2.0, deadline = DateTimeOffset.UtcNow.AddMinutes(5) });

        var expired = await system.WaitForOutcomeAsync(late, Timeout);
        Assert.Equal("expired", expired.GetProperty("status").GetString());
        Assert.Contains("deadline", expired.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, expired.GetProperty("prediction").ValueKind);
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(unhurried, Timeout)).GetProperty("status").GetString());

        var audit = Assert.Single(await system.Audit.WaitForAsync([late], Timeout));
        Assert.Equal("expired", audit.Outcome);
        Assert.True(
            audit.MetadataStartedAt is not null,
            $"the request reached the worker only after its deadline, {ToTheFetch.TotalSeconds} s after it was sent");

        // Cut short at the deadline, not expired by the pool once the fetch had ended.
        Assert.Null(audit.MetadataCompletedAt);
        Assert.Null(audit.InferenceStartedAt);
    }

    [Fact]
    public async Task A_direct_request_whose_deadline_passed_in_the_queue_is_expired_without_a_fetch()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(SlowMetadata);
        await system.StartGatewayAsync();
        var id = Guid.NewGuid();

        await system.Broker.PublishAsync(
            Topology.PredictionRequests,
            $$"""{"predictionId": "{{id}}", "itemId": 3, "featureValue": 1, "deadline": "{{DateTimeOffset.UtcNow.AddMinutes(-1):O}}"}""");

        var outcome = await system.WaitForOutcomeAsync(id.ToString(), Timeout);
        Assert.Equal("expired", outcome.GetProperty("status").GetString());
        var audit = Assert.Single(await system.Audit.WaitForAsync([id.ToString()], Timeout));
        Assert.Equal("expired", audit.Outcome);
        Assert.Null(audit.MetadataStartedAt);
    }

    private static async Task<string> SubmitAsync(PredictionSystem system, object body)
    {
        using var response = await system.Http.PostAsJsonAsync("/predictions", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
