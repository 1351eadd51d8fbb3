using System.Net;
using System.Text;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using RabbitMQ.Client;

namespace Predictions.Integration.Tests.Direct;

/// <summary>The second door: services that publish plain JSON straight to RabbitMQ, with no MassTransit.</summary>
[Collection(BrokerCollection.Name)]
public sealed class PlainJsonPublisherTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Plain_json_request_completes_is_pollable_over_http_and_its_result_reaches_a_bound_queue()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();
        var results = await system.Broker.BindQueueAsync(Topology.PredictionCompleted);
        var id = Guid.NewGuid();

        await system.Broker.PublishAsync(Topology.PredictionRequests, $$"""{"predictionId": "{{id}}", "itemId": 123, "featureValue": 5.0}""");

        var outcome = await system.WaitForOutcomeAsync(id.ToString(), Timeout);
        Assert.Equal("completed", outcome.GetProperty("status").GetString());
        Assert.Equal(10, outcome.GetProperty("prediction").GetDouble());

        var result = await NextMessageAsync(system, results);
        var message = result.GetProperty("message");
        Assert.Equal(id, message.GetProperty("predictionId").GetGuid());
        Assert.Equal(10, message.GetProperty("prediction").GetDouble());
        Assert.Contains(
            "urn:message:Predictions.Contracts:PredictionCompleted", result.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Without_a_prediction_id_the_amqp_message_id_stands_in()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();
        var messageId = Guid.NewGuid().ToString();

        await system.Broker.PublishAsync(Topology.PredictionRequests, """{"itemId": 4, "featureValue": 0.25}""", messageId: messageId);

        var outcome = await system.WaitForOutcomeAsync(messageId, Timeout);
        Assert.Equal(0.5, outcome.GetProperty("prediction").GetDouble());
        Assert.Single(await system.Audit.WaitForAsync([messageId], Timeout));
    }

    [Fact]
    public async Task A_direct_request_shows_as_queued_while_no_worker_runs()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();
        var id = Guid.NewGuid();

        await system.Broker.PublishAsync(Topology.PredictionRequests, $$"""{"predictionId": "{{id}}", "itemId": 1, "featureValue": 1}""");

        string? status = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                using var response = await system.Http.GetAsync($"/predictions/{id}");
                status = response.StatusCode == HttpStatusCode.OK
                    ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()
                    : null;
                return status is not null;
            },
            Timeout,
            () => "the gateway never saw the direct request");
        Assert.Equal("queued", status);
    }

    [Fact]
    public async Task The_same_prediction_delivered_twice_yields_one_result_and_one_audit_row_both_the_earlier_completion()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();
        var connection = await system.Broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var completions = (await channel.QueueDeclareAsync(exclusive: true)).QueueName;
        await channel.QueueBindAsync(completions, Topology.PredictionCompleted, "");
        var id = Guid.NewGuid();
        var body = $$"""{"predictionId": "{{id}}", "itemId": 8, "featureValue": 2}""";

        // A publisher that retries after a lost confirm sends the same request again: it is computed twice.
        await system.Broker.PublishAsync(Topology.PredictionRequests, body);
        await system.Broker.PublishAsync(Topology.PredictionRequests, body);
        DateTimeOffset[] finished =
        [
            (await NextMessageAsync(system, completions)).GetProperty("message").GetProperty("completedAt").GetDateTimeOffset(),
            (await NextMessageAsync(system, completions)).GetProperty("message").GetProperty("completedAt").GetDateTimeOffset(),
        ];

        // Both stores end with the completion that finished first, whichever of the two they received first.
        JsonElement outcome = default;
        IReadOnlyList<AuditRow> rows = [];
        await Eventually.HoldsAsync(
            async () =>
            {
                outcome = await system.WaitForOutcomeAsync(id.ToString(), Timeout);
                rows = await system.Audit.ReadAsync([id.ToString()]);
                return rows.Count == 1
                    && rows[0].FinishedAt == finished.Min()
                    && outcome.GetProperty("completedAt").GetDateTimeOffset() == finished.Min();
            },
            Timeout,
            () => $"completions finished at {string.Join(", ", finished)}; the status holds {outcome}, the audit {string.Join("; ", rows)}");
        Assert.Equal(4, outcome.GetProperty("prediction").GetDouble());
    }

    private static async Task<JsonElement> NextMessageAsync(PredictionSystem system, string queue)
    {
        RabbitMQ.Client.BasicGetResult? message = null;
        await Eventually.HoldsAsync(
            async () => (message = await system.Broker.GetAsync(queue)) is not null, Timeout, () => $"nothing arrived on {queue}");
        return JsonDocument.Parse(Encoding.UTF8.GetString(message!.Body.Span)).RootElement.Clone();
    }
}
