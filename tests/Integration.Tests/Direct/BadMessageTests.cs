using System.Text;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Direct;

/// <summary>Bad messages never crash a worker and never vanish: each waits in a queue an operator sees, with its reason.</summary>
[Collection(BrokerCollection.Name)]
public sealed class BadMessageTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Each bad message and the reason an operator reads in its <c>MT-Fault-Message</c> header.</summary>
    private static readonly (string Kind, string Body, string ContentType, string Reason)[] Faulted =
    [
        ("malformed JSON", """{"predictionId": "00000000-0000-0000-0000-000000000001", "itemId": 1,""", "application/json",
            "body is not a valid JSON object with itemId and featureValue (line 1, byte 69)."),
        ("itemId as text", """{"predictionId": "00000000-0000-0000-0000-000000000002", "itemId": "abc", "featureValue": 1}""", "application/json",
            "itemId must appear once, as an integer (a JSON number without a fraction or exponent)."),
        ("NaN literal", """{"predictionId": "00000000-0000-0000-0000-000000000003", "itemId": 1, "featureValue": NaN}""", "application/json",
            "featureValue must appear once, as a finite number (a JSON number, not a string; NaN and Infinity are not numbers in JSON)."),
        ("\"NaN\" string", """{"predictionId": "00000000-0000-0000-0000-000000000004", "itemId": 1, "featureValue": "NaN"}""", "application/json",
            "featureValue must appear once, as a finite number (a JSON number, not a string; NaN and Infinity are not numbers in JSON)."),
        ("number beyond double",
            """{"predictionId": "00000000-0000-0000-0000-000000000005", "itemId": 1, "featureValue": 1e400}""", "application/json",
            "featureValue must be a finite number (NaN, Infinity and values beyond ±1.7e308 are not)."),
        ("missing featureValue", """{"predictionId": "00000000-0000-0000-0000-000000000006", "itemId": 1}""", "application/json",
            "featureValue is required: a finite number."),
        ("empty body", "", "application/json",
            "body is empty: send a JSON object with itemId and featureValue."),
        ("no id to correlate by", """{"itemId": 1, "featureValue": 1}""", "application/json",
            "predictionId is missing and the message has no UUID message_id to stand in for it: its result could not be correlated."),

        // No reader here takes text/plain: MassTransit reads it as its JSON envelope, and the parser says why it cannot.
        ("not JSON at all", "hello", "text/plain",
            "'h' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0."),

        // MassTransit's envelope is held to the same rules, in the same words, as plain JSON.
        ("MassTransit envelope with 1e400",
            """{"messageType": ["urn:message:Predictions.Contracts:"""
            + """PredictionRequest"], "message": {"predictionId": "00000000-0000-0000-0000-000000000007", "itemId": 1, "featureValue": 1e400}}""",
            "application/vnd.masstransit+json",
            "featureValue must be a finite number (NaN, Infinity and values beyond ±1.7e308 are not)."),
        ("MassTransit envelope without featureValue",
            """{"messageType": ["urn:message:Predictions.Contracts:"""
            + """PredictionRequest"], "message": {"predictionId": "00000000-0000-0000-0000-000000000008", "itemId": 1}}""",
            "application/vnd.masstransit+json",
            "featureValue is required: a finite number."),
        ("MassTransit envelope with itemId as text",
            """{"messageType": ["urn:message:Predictions.Contracts:"""
            + """PredictionRequest"], "message": {"predictionId": "00000000-0000-0000-0000-000000000009", "itemId": "1", "featureValue": 1}}""",
            "application/vnd.masstransit+json",
            "itemId must appear once, as an integer (a JSON number without a fraction or exponent)."),
    ];

    private const string UnknownType = """{"messageType": ["urn:message:Somebody.Else:SomethingElse"], "message": {"x": 1}}""";

    [Fact]
    public async Task Each_bad_message_lands_in_an_error_queue_with_its_reason_while_valid_ones_complete()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();

        var valid = new List<Guid>();
        foreach (var (_, body, contentType, _) in Faulted)
        {
            await system.Broker.PublishAsync(Topology.PredictionRequests, body, contentType);
            var id = Guid.NewGuid();
            valid.Add(id);
            await system.Broker.PublishAsync(Topology.PredictionRequests, $$"""{"predictionId": "{{id}}", "itemId": 2, "featureValue": 3}""");
        }

        await system.Broker.PublishAsync(Topology.PredictionRequests, UnknownType, "application/vnd.masstransit+json");

        foreach (var id in valid)
        {
            Assert.Equal(6, (await system.WaitForOutcomeAsync(id.ToString(), Timeout)).GetProperty("prediction").GetDouble());
        }

        var errors = await DrainAsync(system, $"{Topology.WorkQueue}_error", Faulted.Length);
        var wrong = Faulted
            .Select(f => (f.Kind, f.Reason, Given: errors.TryGetValue(f.Body, out var headers)
                ? headers.GetValueOrDefault("MT-Fault-Message")
                : "(not in the error queue)"))
            .Where(f => f.Given != f.Reason)
            .Select(f => $"{f.Kind}: expected \"{f.Reason}\", got \"{f.Given}\"")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));

        var skipped = await DrainAsync(system, $"{Topology.WorkQueue}_skipped", 1);
        Assert.True(skipped.ContainsKey(UnknownType), "the message of an unknown type is not in the skipped queue");
        Assert.False(worker.HasExited);
    }

    [Fact]
    public async Task The_gateway_notes_each_bad_message_in_one_quiet_line_and_leaves_the_report_to_the_worker()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        var gateway = await system.StartGatewayAsync();
        var startup = gateway.Output.Split('\n').Length;

        // Each with a message id of its own to find its line by; the one without an id is refused for that.
        var messageIds = new List<string>();
        foreach (var (kind, body, contentType, _) in Faulted)
        {
            var messageId = kind == "no id to correlate by" ? null : Guid.NewGuid().ToString();
            messageIds.AddRange(messageId is null ? [] : [messageId]);
            await system.Broker.PublishAsync(Topology.PredictionRequests, body, contentType, messageId);
        }

        await DrainAsync(system, $"{Topology.WorkQueue}_error", Faulted.Length);
        // Until the gateway has noted every copy (the management API's counts lag, so they cannot say when).
        await Eventually.HoldsAsync(
            () => Task.FromResult(messageIds.All(id => gateway.Output.Contains(id, StringComparison.Ordinal))),
            Timeout,
            () => $"the gateway did not note each of its copies.\n{gateway.Output}");

        // From readiness on: a health check may fail while the gateway starts.
        var lines = gateway.Output.Split('\n').Skip(startup).ToList();
        var alarming = lines
            .Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.Contains("   at ", StringComparison.Ordinal))
            .ToList();
        Assert.True(alarming.Count == 0, $"The gateway logged {alarming.Count} errors or stack traces:\n{string.Join('\n', alarming)}");
        foreach (var messageId in messageIds)
        {
            Assert.True(
                lines.Count(line => line.Contains(messageId, StringComparison.Ordinal)) == 1,
                $"Not one line for message {messageId}:\n{gateway.Output}");
        }
    }

    /// <summary>Takes <paramref name="expected"/> messages from a queue: body → headers.</summary>
    private static async Task<Dictionary<string, Dictionary<string, string>>> DrainAsync(PredictionSystem system, string queue, int expected)
    {
        var messages = new Dictionary<string, Dictionary<string, string>>();
        await Eventually.HoldsAsync(
            async () =>
            {
                while (await system.Broker.GetAsync(queue) is { } message)
                {
                    messages[Encoding.UTF8.GetString(message.Body.Span)] = (message.BasicProperties.Headers ?? new Dictionary<string, object?>())
                        .ToDictionary(h => h.Key, h => h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : $"{h.Value}");
                }

                return messages.Count >= expected;
            },
            Timeout,
            () => $"{messages.Count} of {expected} messages reached {queue}");
        return messages;
    }
}
