using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using RabbitMQ.Client.Exceptions;

namespace Predictions.Integration.Tests.Gateway;

/// <summary>A full work queue refuses new work at both doors, and keeps everything it accepted.</summary>
[Collection(BrokerCollection.Name)]
public sealed class BackpressureTests(BrokerFixture fixture)
{
    private static readonly IReadOnlyDictionary<string, string> SmallQueue = new Dictionary<string, string> { ["WorkQueue:MaxLength"] = "5" };

    [Fact]
    public async Task A_full_work_queue_answers_429_with_retry_after_and_drops_nothing_accepted()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(SmallQueue);
        var accepted = new List<string>();
        HttpResponseMessage refused;
        while (true)
        {
            var response = await system.Http.PostAsJsonAsync("/predictions", new { itemId = accepted.Count + 1, featureValue = 1.0 });
            if (response.StatusCode != HttpStatusCode.Accepted || accepted.Count > 10)
            {
                refused = response;
                break;
            }

            accepted.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
            response.Dispose();
        }

        // A quorum queue enforces its limit one message late: it takes the message that fills it past the limit.
        Assert.InRange(accepted.Count, 5, 6);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.True(refused.StatusCode == HttpStatusCode.TooManyRequests, $"{refused.StatusCode}\n{system.Describe()}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("tag:predictions.gateway,2026:work-queue-full", problem.GetProperty("type").GetString());
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1) && retryAfter <= TimeSpan.FromSeconds(60), $"Retry-After was {retryAfter}");
        refused.Dispose();
        uint? waiting = null;
        await Eventually.HoldsAsync(
            async () => (waiting = (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages) == accepted.Count,
            TimeSpan.FromSeconds(30),
            () => $"the work queue holds {waiting} requests, not the {accepted.Count} accepted");

        // A direct publisher is refused too: its publisher confirm is negative.
        await Assert.ThrowsAsync<PublishException>(() => system.Broker.PublishAsync(
            Topology.PredictionRequests, $$"""{"predictionId": "{{Guid.NewGuid()}}", "itemId": 7, "featureValue": 7}"""));

        await system.StartWorkerAsync(Settings.QuickModel.Concat(SmallQueue).ToDictionary());
        foreach (var id in accepted)
        {
            Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, TimeSpan.FromSeconds(60))).GetProperty("status").GetString());
        }

        // The audit is written by its own consumer, independently of the status the gateway reports.
        await system.Audit.WaitForAsync(accepted, TimeSpan.FromSeconds(60));
        Assert.Equal(accepted.Count, (await system.Audit.ReadAsync()).Count);
        var later = await system.SubmitAsync(8, 8);
        Assert.Equal(
            "completed",
            (await system.WaitForOutcomeAsync(later.GetProperty("id").GetString()!, TimeSpan.FromSeconds(60))).GetProperty("status").GetString());
    }
}
