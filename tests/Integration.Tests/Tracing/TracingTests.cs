using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using RabbitMQ.Client;

namespace Predictions.Integration.Tests.Tracing;

/// <summary>One trace per prediction, exported over OTLP by the gateway and worker as real processes.</summary>
[Collection(BrokerCollection.Name)]
public sealed class TracingTests(BrokerFixture fixture, TracedSystem traced) : IClassFixture<TracedSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] Stages = ["metadata", "pool_wait", "inference"];
    private static readonly string[] CacheOutcomes = ["hit", "miss"];

    [Fact]
    public async Task One_http_submission_is_one_trace_from_the_gateway_request_through_the_worker_stages_to_the_audit_write()
    {
        var system = await traced.StartAsync(fixture.Broker);
        var id = await CompleteAsync(system, itemId: 1);

        var spans = await system.Receiver.WaitForAsync(s => HasWholeTrace(s, id), Timeout);

        var traceId = Assert.Single(spans.TraceIdsOf(id));
        var trace = spans.InTrace(traceId);
        var audit = Assert.Single(trace, s => s.Name == "audit.write");
        var chain = trace.ChainUp(audit);
        var request = chain[^1];
        Assert.True(request.IsRoot, $"the chain up from audit.write breaks at {request}");
        Assert.True(request.IsRequest("POST", "/predictions"), $"the trace begins at {request}");
        Assert.Equal("prediction-audit receive", chain[1].Name);
        Assert.Contains(chain, s => s.Service == Traces.Worker && s.Name == "prediction-worker process");
        var send = Assert.Single(chain, s => s.Name == "prediction-submissions send");
        Assert.Equal((Traces.Gateway, id), (send.Service, send.Attribute("prediction.id")));
        Assert.Equal(request, trace.ParentOf(send));
        foreach (var stage in Stages)
        {
            var span = Assert.Single(trace, s => s.Name == stage);
            Assert.Equal(Traces.Worker, span.Service);
            Assert.Equal(id, span.Attribute("prediction.id"));
            Assert.Equal("prediction-worker process", trace.ParentOf(span)?.Name);
        }

        Assert.Contains(trace.Single(s => s.Name == "metadata").Attribute("metadata.cache"), CacheOutcomes);
        var inference = trace.Single(s => s.Name == "inference");
        Assert.True(inference.Attributes.GetValueOrDefault("inference.batch.size") is long size && size >= 1, $"inference.batch.size: {inference}");
        Assert.Equal("item-scorer", inference.Attribute("model.name"));
        Assert.Contains(
            trace, s => s.Service == Traces.Gateway && s.Name == "status.write" && trace.ParentOf(s)?.Name == "prediction-status receive");
    }

    [Fact]
    public async Task A_model_call_for_several_predictions_is_one_batch_span_linked_to_each_predictions_own_trace()
    {
        var system = await traced.StartAsync(fixture.Broker);
        var accepted = await Task.WhenAll(Enumerable.Range(11, 8).Select(item => system.System.SubmitAsync(item, item / 10.0)));
        var ids = accepted.Select(a => a.GetProperty("id").GetString()!).ToList();
        foreach (var id in ids)
        {
            Assert.Equal("completed", (await system.System.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
        }

        var spans = await system.Receiver.WaitForAsync(
            s => ids.All(id => s.About(id).Any(x => x.Name == "inference")) && BatchesOf(s, ids).Any(), Timeout);

        var traceIds = ids.ToDictionary(id => id, id => Assert.Single(spans.TraceIdsOf(id)));
        Assert.Equal(ids.Count, traceIds.Values.Distinct().Count());
        foreach (var batch in BatchesOf(spans, ids))
        {
            Assert.Equal((long)batch.Links.Count, batch.Attributes.GetValueOrDefault("inference.batch.size"));
            var linkedPredictions = new List<string>();
            foreach (var (linkedTrace, linkedSpan) in batch.Links)
            {
                var process = Assert.Single(spans, s => s.TraceId == linkedTrace && s.SpanId == linkedSpan);
                Assert.Equal((Traces.Worker, "prediction-worker process"), (process.Service, process.Name));
                var id = process.Attribute("prediction.id")!;
                Assert.Equal(traceIds[id], linkedTrace);
                var inference = Assert.Single(spans.InTrace(linkedTrace), s => s.Name == "inference");
                Assert.Equal(id, inference.Attribute("prediction.id"));
                Assert.Equal((long)batch.Links.Count, inference.Attributes.GetValueOrDefault("inference.batch.size"));
                linkedPredictions.Add(id);
            }

            Assert.Equal(linkedPredictions.Count, linkedPredictions.Distinct().Count());
        }
    }

    [Fact]
    public async Task A_direct_amqp_request_with_a_traceparent_continues_in_the_publishers_trace()
    {
        var system = await traced.StartAsync(fixture.Broker);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var publisherSpanId = ActivitySpanId.CreateRandom().ToHexString();
        var id = Guid.NewGuid().ToString();

        var connection = await system.System.Broker.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            var properties = new BasicProperties
            {
                ContentType = "application/json",
                DeliveryMode = DeliveryModes.Persistent,
                Headers = new Dictionary<string, object?> { ["traceparent"] = $"00-{traceId}-{publisherSpanId}-01" },
            };
            var body = Encoding.UTF8.GetBytes($$"""{"predictionId": "{{id}}", "itemId": 2, "featureValue": 0.5}""");
            await channel.BasicPublishAsync(Topology.PredictionRequests, "", mandatory: false, properties, body);
        }

        Assert.Equal("completed", (await system.System.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
        var spans = await system.Receiver.WaitForAsync(
            s => s.About(id).Any(x => x.Name == "inference") && s.Any(x => x.Service == Traces.Worker && x.ParentSpanId == publisherSpanId),
            Timeout);

        var workerSpans = spans.About(id).Where(s => s.Service == Traces.Worker).ToList();
        Assert.All(workerSpans, s => Assert.Equal(traceId, s.TraceId));
        var continued = Assert.Single(spans, s => s.Service == Traces.Worker && s.ParentSpanId == publisherSpanId);
        Assert.Equal(traceId, continued.TraceId);
    }

    [Fact]
    public async Task A_worker_log_line_about_a_prediction_carries_its_id_and_its_trace_id_in_scopes()
    {
        var system = await traced.StartAsync(fixture.Broker);
        var id = (await system.System.SubmitAsync(TracedSystem.UnknownItem, 1)).GetProperty("id").GetString()!;
        Assert.Equal("failed", (await system.System.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());

        var line = (await system.Worker.WaitForOutputAsync(new Regex($@"^\{{.*Prediction {id} failed.*\}}$"), Timeout)).Value;
        var spans = await system.Receiver.WaitForAsync(s => s.About(id).Any(x => x.Service == Traces.Worker), Timeout);

        var traceId = Assert.Single(spans.TraceIdsOf(id));
        var scopes = JsonDocument.Parse(line).RootElement.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, scope => Text(scope, "PredictionId") == id);
        Assert.Contains(scopes, scope => Text(scope, "TraceId") == traceId);
    }

    [Fact]
    public async Task A_gateway_problem_details_response_names_the_trace_of_its_request()
    {
        var system = await traced.StartAsync(fixture.Broker);

        using var response = await system.System.Http.PostAsync(
            "/predictions", new StringContent("""{"featureValue": 5.0}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var traceId = JsonDocument.Parse(body).RootElement.GetProperty("traceId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        var spans = await system.Receiver.WaitForAsync(s => s.Any(x => x.TraceId == traceId && x.Kind == ActivityKind.Server), Timeout);
        var request = Assert.Single(spans.InTrace(traceId), s => s.Kind == ActivityKind.Server);
        Assert.True(request.IsRequest("POST", "/predictions"), $"the trace named is that of {request}");
        Assert.Equal("400", request.Attribute("http.response.status_code"));
    }

    private static async Task<string> CompleteAsync(TracedSystem system, long itemId)
    {
        var id = (await system.System.SubmitAsync(itemId, 0.5)).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await system.System.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
        return id;
    }

    /// <summary>Whether the prediction's trace has arrived whole: the chain up from its audit write, its stages and its status write.</summary>
    private static bool HasWholeTrace(IReadOnlyList<ReceivedSpan> spans, string id)
    {
        var audit = spans.About(id).FirstOrDefault(s => s.Name == "audit.write");
        if (audit is null)
        {
            return false;
        }

        var trace = spans.InTrace(audit.TraceId);
        return trace.ChainUp(audit)[^1].IsRoot
            && Stages.All(stage => trace.Any(s => s.Name == stage))
            && trace.Any(s => s.Name == "status.write" && trace.ParentOf(s)?.Name == "prediction-status receive");
    }

    /// <summary>Batch spans for several of these predictions, once every span they link to has arrived.</summary>
    private static IEnumerable<ReceivedSpan> BatchesOf(IReadOnlyList<ReceivedSpan> spans, IReadOnlyList<string> ids) =>
        spans.Where(s => s.Name == "inference.batch" && s.Links.Count >= 2
            && s.Links.All(link => spans.Any(x =>
                x.TraceId == link.TraceId && x.SpanId == link.SpanId && ids.Contains(x.Attribute("prediction.id")))));

    private static string? Text(JsonElement scope, string name) =>
        scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty(name, out var value) ? value.ToString() : null;
}
