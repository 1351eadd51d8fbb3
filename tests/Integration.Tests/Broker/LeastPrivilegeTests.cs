using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Predictions.Integration.Tests.Broker;

/// <summary>
/// The gateway and the worker connect as users of their own, made by deploy/rabbitmq/provision-users.sh,
/// each allowed what its job needs and refused the rest (docs/broker-users.md).
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class LeastPrivilegeTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private const string Envelope = "application/vnd.masstransit+json";
    private const string UnknownType = """{"messageType": ["urn:message:Somebody.Else:SomethingElse"], "message": {"x": 1}}""";
    private const string MalformedResult =
        """{"messageType": ["urn:message:Predictions.Contracts:PredictionCompleted"], "message": {"predictionId": "not-a-uuid"}}""";

    // MassTransit reports a refused declaration or binding at Information, then retries it for ever.
    private static readonly Dictionary<string, string> ShowRefusals = new() { ["Logging:LogLevel:MassTransit"] = "Information" };

    [Fact]
    public async Task Gateway_and_worker_on_their_own_users_complete_and_audit_predictions_and_set_bad_messages_aside()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await using var users = await ServiceUsers.ProvisionAsync(system.Broker);
        await system.StartWorkerAsync(ConnectedAs(users.AmqpUri(users.Worker), Settings.QuickModel));
        await system.StartGatewayAsync(ConnectedAs(users.AmqpUri(users.Gateway)));

        var id = (await system.SubmitAsync(123, 5.0)).GetProperty("id").GetString()!;
        var outcome = await system.WaitForOutcomeAsync(id, Timeout);
        Assert.Equal("completed", outcome.GetProperty("status").GetString());
        Assert.Equal(10, outcome.GetProperty("prediction").GetDouble());
        IReadOnlyList<AuditRow> audited = [];
        await Eventually.HoldsAsync(
            async () => (audited = await system.Audit.ReadAsync([id])).Count == 1, Timeout, () => $"{audited.Count} audit rows for {id}");

        // Each service creates its endpoints' error and skipped queues the first time a message must go there:
        // a bad request and one of an unknown type (worker), a malformed and an unknown result (worker and gateway).
        await system.Broker.PublishAsync(
            Topology.PredictionRequests, """{"itemId": "abc", "featureValue": 1}""", messageId: Guid.NewGuid().ToString());
        await system.Broker.PublishAsync(Topology.PredictionRequests, UnknownType, Envelope);
        await system.Broker.PublishAsync(Topology.PredictionCompleted, UnknownType, Envelope);
        await system.Broker.PublishAsync(Topology.PredictionCompleted, MalformedResult, Envelope);
        foreach (var queue in new[] { Topology.WorkQueue, Topology.AuditQueue, Topology.StatusQueue }
            .SelectMany(q => new[] { $"{q}_error", $"{q}_skipped" }))
        {
            await Eventually.HoldsAsync(
                async () => (await system.Broker.GetQueueAsync(queue))?.Messages == 1,
                Timeout,
                () => $"no message reached {queue}.\n{system.Describe()}");
        }

        Assert.DoesNotContain("ACCESS_REFUSED", system.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task
        Before_any_worker_made_the_work_queue_the_gateway_user_is_not_ready_and_answers_503_at_once_never_202_then_accepts_once_one_did()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await using var users = await ServiceUsers.ProvisionAsync(system.Broker);
        var publishTimeout = TimeSpan.FromSeconds(10);
        await system.StartGatewayAsync(
            ConnectedAs(
                users.AmqpUri(users.Gateway),
                new Dictionary<string, string> { ["Gateway:PublishTimeout"] = publishTimeout.ToString() }),
            untilReady: false);

        // RabbitMQ lets only a user that may read a queue create it with a dead-letter exchange: the gateway cannot, so it
        // is not ready, saying why, and refuses requests at once rather than publish into an exchange with no queue behind it.
        var readiness = "";
        await Eventually.HoldsAsync(
            async () =>
            {
                using var response = await system.Http.GetAsync("/health/ready");
                readiness = await response.Content.ReadAsStringAsync();
                return response.StatusCode == HttpStatusCode.ServiceUnavailable && readiness.Contains("ACCESS_REFUSED", StringComparison.Ordinal);
            },
            Timeout,
            () => $"the gateway did not say the broker refuses it: {readiness}\n{system.Describe()}");
        var answered = Stopwatch.StartNew();
        using (var refused = await system.Http.PostAsync(
            "/predictions", new StringContent("""{"itemId": 1, "featureValue": 1}""", Encoding.UTF8, "application/json")))
        {
            var text = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode} {text}");
            Assert.Equal("tag:predictions.gateway,2026:publisher-refused", JsonDocument.Parse(text).RootElement.GetProperty("type").GetString());
            Assert.True(answered.Elapsed < publishTimeout / 5, $"answered after {answered.Elapsed.TotalSeconds:0.0} s");
        }

        await system.StartWorkerAsync(ConnectedAs(users.AmqpUri(users.Worker), Settings.QuickModel));
        await Eventually.HoldsAsync(
            async () => (await system.Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            Timeout,
            () => $"the gateway did not turn ready once the worker made the queue.\n{system.Describe()}");
        var id = (await system.SubmitAsync(1, 1)).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await system.WaitForOutcomeAsync(id, Timeout)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_gateway_user_can_neither_take_requests_nor_read_audit_records_nor_publish_to_the_direct_door()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await using var users = await ServiceUsers.ProvisionAsync(system.Broker);
        await system.StartWorkerAsync(ConnectedAs(users.AmqpUri(users.Worker)));
        await using var gateway = await Connect(users.AmqpUri(users.Gateway));

        await AssertRefusedAsync(
            gateway, channel => channel.BasicConsumeAsync(Topology.WorkQueue, autoAck: false, new AsyncEventingBasicConsumer(channel)));
        await AssertRefusedAsync(gateway, channel => channel.BasicGetAsync(Topology.WorkQueue, autoAck: true));
        await AssertRefusedAsync(gateway, channel => channel.BasicGetAsync(Topology.AuditQueue, autoAck: true));

        // Nor publish to the direct publishers' door: its own requests go to the work queue alone.
        await AssertRefusedAsync(gateway, channel => channel.BasicPublishAsync(
            Topology.PredictionRequests,
            "",
            mandatory: false,
            new BasicProperties { ContentType = "application/json", MessageId = Guid.NewGuid().ToString(), DeliveryMode = DeliveryModes.Persistent },
            Encoding.UTF8.GetBytes("""{"itemId": 1, "featureValue": 1}""")).AsTask());

        // Nor can it make a queue of its own and tap the results with it.
        await AssertRefusedAsync(gateway, channel => channel.QueueDeclareAsync("gateway-tap", durable: false, exclusive: true, autoDelete: true));
    }

    [Fact]
    public async Task The_worker_user_cannot_publish_requests()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await using var users = await ServiceUsers.ProvisionAsync(system.Broker);
        await system.StartWorkerAsync(ConnectedAs(users.AmqpUri(users.Worker)));
        await using var worker = await Connect(users.AmqpUri(users.Worker));

        await AssertRefusedAsync(worker, channel => channel.BasicPublishAsync(
            Topology.PredictionRequests,
            "",
            mandatory: false,
            new BasicProperties { ContentType = "application/json", MessageId = Guid.NewGuid().ToString(), DeliveryMode = DeliveryModes.Persistent },
            Encoding.UTF8.GetBytes("""{"itemId": 1, "featureValue": 1}""")).AsTask());
        Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages);

        // Nor can it read what the gateway keeps: the status queue.
        await AssertRefusedAsync(worker, channel => channel.BasicGetAsync(Topology.StatusQueue, autoAck: true));
    }

    [Fact]
    public async Task Service_users_cannot_sign_in_to_the_management_api()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await using var users = await ServiceUsers.ProvisionAsync(system.Broker);
        using var http = new HttpClient { BaseAddress = system.Broker.Owner.ManagementUri };

        foreach (var user in new[] { users.Gateway, users.Worker })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/overview");
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.Name}:{user.Password}")));
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{user.Name}: the management API answered {(int)response.StatusCode}");
        }
    }

    private static Dictionary<string, string> ConnectedAs(Uri broker, IReadOnlyDictionary<string, string>? more = null)
    {
        var settings = new Dictionary<string, string>(ShowRefusals) { ["ConnectionStrings:RabbitMq"] = broker.ToString() };
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task<IConnection> Connect(Uri uri) =>
        await new ConnectionFactory { Uri = uri, ClientProvidedName = "integration-tests" }.CreateConnectionAsync();

    /// <summary>The broker closes the channel with 403 ACCESS_REFUSED: the operation was refused, not merely failed.</summary>
    private static async Task AssertRefusedAsync(IConnection connection, Func<IChannel, Task> operation)
    {
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var refused = await Assert.ThrowsAnyAsync<OperationInterruptedException>(() => operation(channel));
        Assert.True(refused.ShutdownReason?.ReplyCode == 403, $"expected 403 ACCESS_REFUSED, got {refused.ShutdownReason}");
    }
}
