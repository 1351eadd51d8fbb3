using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace Predictions.Integration.Tests.Pipeline;

[Collection(BrokerCollection.Name)]
public class EndToEndTests(BrokerFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan OutcomeTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Submitted_prediction_completes_with_twice_the_feature_value()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();

        using var response = await system.Http.PostAsync("/predictions", Json("""{"itemId": 123, "featureValue": 5.0}"""));
        var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        Assert.Equal($"/predictions/{id}", response.Headers.Location?.OriginalString);

        var outcome = await system.WaitForOutcomeAsync(id, OutcomeTimeout);

        Assert.Equal("completed", outcome.GetProperty("status").GetString());
        Assert.Equal(10, outcome.GetProperty("prediction").GetDouble());
        Assert.Equal(123, outcome.GetProperty("itemId").GetInt64());
        Assert.Equal(5.0, outcome.GetProperty("featureValue").GetDouble());
        Assert.NotEmpty(outcome.GetProperty("metadata").EnumerateObject());
        Assert.Equal(JsonValueKind.Null, outcome.GetProperty("error").ValueKind);
        Assert.True(outcome.GetProperty("completedAt").GetDateTimeOffset() >= outcome.GetProperty("submittedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Every_outcome_is_audited_exactly_once_even_when_delivered_twice()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();

        // A queue of our own on the result exchange keeps a copy of the event the worker publishes.
        var connection = await system.Broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var copies = (await channel.QueueDeclareAsync(exclusive: true)).QueueName;
        await channel.QueueBindAsync(copies, Topology.PredictionCompleted, "");

        var id = (await system.SubmitAsync(7, 1.5)).GetProperty("id").GetString()!;
        await system.WaitForOutcomeAsync(id, OutcomeTimeout);

        BasicGetResult? original = null;
        await Eventually.HoldsAsync(
            async () => (original = await channel.BasicGetAsync(copies, autoAck: true)) is not null,
            OutcomeTimeout,
            () => "no copy of the result event");

        // Deliver the very same message again, as a broker redelivery or a retrying publisher would.
        await channel.BasicPublishAsync(
            Topology.PredictionCompleted, "", mandatory: false, new BasicProperties(original!.BasicProperties), original.Body);
        await worker.WaitForOutputAsync(new Regex($"{id} was already audited"), OutcomeTimeout);

        var rows = await system.Audit.ReadAsync([id]);
        var row = Assert.Single(rows);
        Assert.Equal("completed", row.Outcome);
        Assert.Equal(3, row.Prediction);
        Assert.False(string.IsNullOrEmpty(row.Worker));
        Assert.NotNull(row.InferenceCompletedAt);
    }

    [Fact]
    public async Task Request_accepted_before_any_worker_ran_completes_once_a_worker_starts()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();

        var id = (await system.SubmitAsync(42, 2.5)).GetProperty("id").GetString()!;
        Assert.Equal(1u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages);

        await system.StartWorkerAsync(Settings.QuickModel);
        var outcome = await system.WaitForOutcomeAsync(id, OutcomeTimeout);

        Assert.Equal("completed", outcome.GetProperty("status").GetString());
        Assert.Equal(5, outcome.GetProperty("prediction").GetDouble());
    }

    [Fact]
    public async Task Sixteen_simultaneous_predictions_overlap_their_metadata_io_and_never_exceed_the_pool_bound()
    {
        const int Bound = 4;
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);

        // The lesson's own numbers: 0.5 s of awaited metadata, 1 s of blocking inference.
        await system.StartWorkerAsync(new Dictionary<string, string> { ["Inference:MaxConcurrency"] = $"{Bound}" });
        await system.StartGatewayAsync();

        var started = DateTimeOffset.UtcNow;
        var accepted = await Task.WhenAll(Enumerable.Range(1, 16).Select(i => system.SubmitAsync(i, i)));
        var ids = accepted.Select(a => a.GetProperty("id").GetString()!).ToList();
        foreach (var id in ids)
        {
            Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, OutcomeTimeout)).GetProperty("status").GetString());
        }

        var rows = await system.Audit.WaitForAsync(ids, OutcomeTimeout);

        var inference = PeakOverlap(rows.Select(r => (r.InferenceStartedAt!.Value, r.InferenceCompletedAt!.Value)));
        var metadata = PeakOverlap(rows.Select(r => (r.MetadataStartedAt!.Value, r.MetadataCompletedAt!.Value)));
        var finished = rows.Max(r => r.InferenceCompletedAt!.Value);
        output.WriteLine(
            $"16 predictions, pool bound {Bound}: {(finished - started).TotalSeconds:0.00} s end to end; "
            + $"peak inferences {inference}, peak metadata fetches {metadata}");

        Assert.Equal(Bound, inference);
        Assert.True(metadata > Bound, $"metadata fetches never overlapped beyond the pool bound (peak {metadata})");
    }

    [Fact]
    public async Task Each_outcome_goes_to_its_own_exchange_named_by_its_own_type_and_their_shared_part_has_no_exchange()
    {
        await using var metadata = await MetadataServer.StartAsync();
        metadata.UnknownItems[404] = true;
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(HttpMetadataTests.WithHttpMetadata(metadata));
        await system.StartGatewayAsync();
        var exchanges = new[] { Topology.PredictionCompleted, Topology.PredictionFailed, Topology.PredictionExpired };
        var copies = await Task.WhenAll(exchanges.Select(system.Broker.BindQueueAsync));

        var completed = (await system.SubmitAsync(12, 1.5)).GetProperty("id").GetString()!;
        var failed = (await system.SubmitAsync(404, 1.5)).GetProperty("id").GetString()!;
        var expired = Guid.NewGuid().ToString();
        await system.Broker.PublishAsync(
            Topology.PredictionRequests,
            $$"""{"predictionId": "{{expired}}", "itemId": 3, "featureValue": 1, "deadline": "{{DateTimeOffset.UtcNow.AddMinutes(-1):O}}"}""");

        string[] ids = [completed, failed, expired];
        string[] types = ["PredictionCompleted", "PredictionFailed", "PredictionExpired"];
        for (var i = 0; i < ids.Length; i++)
        {
            BasicGetResult? copy = null;
            await Eventually.HoldsAsync(
                async () => (copy = await system.Broker.GetAsync(copies[i])) is not null,
                OutcomeTimeout,
                () => $"nothing arrived on {exchanges[i]}");
            var envelope = JsonDocument.Parse(copy!.Body).RootElement;
            Assert.Equal(ids[i], envelope.GetProperty("message").GetProperty("predictionId").GetString());
            Assert.Equal(
                [$"urn:message:Predictions.Contracts:{types[i]}"], envelope.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()));
        }

        var declared = (await system.Broker.Owner.GetAsync<JsonElement>($"api/exchanges/{Uri.EscapeDataString(system.Broker.Name)}"))
            .EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToList();
        Assert.All(exchanges, exchange => Assert.Contains(exchange, declared));
        Assert.DoesNotContain(declared, name => name.Contains("PredictionOutcome", StringComparison.Ordinal));
    }

    /// <summary>The largest number of intervals in progress at one instant.</summary>
    private static int PeakOverlap(IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> intervals)
    {
        // An interval ending at the very instant another starts does not overlap it: ends sort first.
        var events = intervals.SelectMany(i => new[] { (At: i.Start, Delta: 1), (At: i.End, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta);
        int current = 0, peak = 0;
        foreach (var (_, delta) in events)
        {
            current += delta;
            peak = Math.Max(peak, current);
        }

        return peak;
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}

/// <summary>The same on RabbitMQ 3.x.</summary>
[Collection(RabbitMq3Collection.Name)]
public sealed class EndToEndTestsOnRabbitMq3(RabbitMq3Fixture fixture, ITestOutputHelper output) : EndToEndTests(fixture, output);
