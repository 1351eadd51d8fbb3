using System.Text.Json.Nodes;
using MassTransit;
using MassTransit.Serialization;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Predictions.Contracts;

namespace Predictions.Messaging.Tests;

/// <summary>
/// The outcome events as they go on the wire: MassTransit envelopes, recorded in <c>Envelopes</c>, that
/// every subscriber (the audit and status consumers, anyone's own queue) reads. Those files must keep reading into
/// the outcome types, and a worker must keep writing the same fields with the same values.
/// </summary>
public sealed class OutcomeEnvelopeTests
{
    // Set by the bus for each send: compared by name only.
    private static readonly HashSet<string> PerSend = ["messageId", "conversationId", "sourceAddress", "destinationAddress", "sentTime", "host"];

    public static TheoryData<string> Files => [.. Expected.Keys];

    [Theory]
    [MemberData(nameof(Files))]
    public void A_recorded_envelope_reads_into_its_outcome_type_with_every_field(string file)
    {
        var expected = Expected[file];

        var read = Read(expected.GetType(), File.ReadAllBytes(Path.Combine("Envelopes", file)));

        Assert.Equal(Metadata(expected), Metadata(read));
        Assert.Equal(WithoutMetadata(expected), WithoutMetadata(read));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void An_envelope_written_before_route_and_shadow_of_reads_with_neither(string file)
    {
        var envelope = JsonNode.Parse(File.ReadAllText(Path.Combine("Envelopes", file)))!.AsObject();
        var message = envelope["message"]!.AsObject();
        message.Remove("route");
        message.Remove("shadowOf");

        var read = (PredictionOutcome)Read(Expected[file].GetType(), System.Text.Encoding.UTF8.GetBytes(envelope.ToJsonString()));

        Assert.Null(read.Route);
        Assert.Null(read.ShadowOf);
        Assert.Equal(((PredictionOutcome)Expected[file]).PredictionId, read.PredictionId);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task A_published_outcome_writes_the_recorded_fields_with_the_recorded_values(string file)
    {
        var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine("Envelopes", file)))!.AsObject();

        var written = JsonNode.Parse(await PublishAsync(Expected[file]))!.AsObject();

        Assert.Equal(Names(recorded), Names(written));
        foreach (var (name, value) in recorded.Where(field => !PerSend.Contains(field.Key)))
        {
            Assert.True(
                JsonNode.DeepEquals(value, written[name]),
                $"{name}: recorded {value?.ToJsonString()}, written {written[name]?.ToJsonString()}");
        }
    }

    private static readonly Dictionary<string, object> Expected = new()
    {
        ["prediction-completed.json"] = new PredictionCompleted
        {
            PredictionId = Guid.Parse("6c1e2f0a-52b4-4c7e-9a51-0d1f1b7e3a01"),
            ItemId = 123,
            FeatureValue = 5.5,
            Metadata = new Dictionary<string, double> { ["category"] = 3, ["price"] = 55.37, ["popularity"] = 0.667 },
            Prediction = 11,
            Model = new ModelIdentity { Name = "item-scorer", Version = "3" },
            SubmittedAt = At(0),
            CompletedAt = At(1_300),
            Worker = "worker-host/4242",
            Route = "canary",
            Timings = new PredictionTimings
            {
                ReceivedAt = At(10),
                MetadataStartedAt = At(11),
                MetadataCompletedAt = At(512),
                InferenceQueuedAt = At(513),
                InferenceStartedAt = At(520),
                InferenceCompletedAt = At(1_299),
            },
        },
        ["prediction-failed.json"] = new PredictionFailed
        {
            PredictionId = Guid.Parse("6c1e2f0a-52b4-4c7e-9a51-0d1f1b7e3a02"),
            ItemId = 404,
            FeatureValue = 1.25,
            Error = "unknown item 404",
            SubmittedAt = At(0),
            FailedAt = At(600),
            Worker = "worker-host/4242",
            Model = new ModelIdentity { Name = "item-scorer", Version = "1" },
            Route = "shadow",
            ShadowOf = Guid.Parse("6c1e2f0a-52b4-4c7e-9a51-0d1f1b7e3a01"),
            Timings = new PredictionTimings { ReceivedAt = At(10), MetadataStartedAt = At(11), MetadataCompletedAt = At(599) },
        },
        ["prediction-expired.json"] = new PredictionExpired
        {
            PredictionId = Guid.Parse("6c1e2f0a-52b4-4c7e-9a51-0d1f1b7e3a03"),
            ItemId = 7,
            FeatureValue = -2,
            Deadline = At(5),
            SubmittedAt = null,
            ExpiredAt = At(20),
            Worker = "worker-host/4242",
            Model = new ModelIdentity { Name = "doubling", Version = "1" },
            Timings = new PredictionTimings { ReceivedAt = At(19) },
        },
    };

    private static DateTimeOffset At(int milliseconds) =>
        new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero).AddMilliseconds(milliseconds).AddTicks(1234);

    private static object Read(Type type, byte[] envelope)
    {
        var context = new SystemTextJsonMessageSerializer().Deserialize(new BytesMessageBody(envelope), EmptyHeaders.Instance);
        object?[] arguments = [null];
        var found = (bool)typeof(SerializerContext)
            .GetMethod(nameof(SerializerContext.TryGetMessage), 1, [Type.MakeGenericMethodParameter(0).MakeByRefType()])!
            .MakeGenericMethod(type).Invoke(context, arguments)!;
        Assert.True(found, $"the envelope holds no {type.Name}");
        return arguments[0]!;
    }

    /// <summary>The envelope a bus writes for <paramref name="outcome"/>, as its subscribers receive it.</summary>
    private static async Task<string> PublishAsync(object outcome)
    {
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddHandler((ConsumeContext<PredictionCompleted> _) => Task.CompletedTask);
                bus.AddHandler((ConsumeContext<PredictionFailed> _) => Task.CompletedTask);
                bus.AddHandler((ConsumeContext<PredictionExpired> _) => Task.CompletedTask);
                bus.UsingInMemory((context, cfg) =>
                {
                    // As in both hosts' topology (Topology.UsePredictionTopology).
                    cfg.ExcludePredictionOutcome();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(outcome);

        Assert.True(await harness.Consumed.Any(), $"no {outcome.GetType().Name} arrived");
        return harness.Consumed.Select(_ => true).Single().Context.ReceiveContext.Body.GetString();
    }

    private static SortedSet<string> Names(JsonObject envelope) => [.. envelope.Select(field => field.Key)];

    private static IReadOnlyDictionary<string, double>? Metadata(object outcome) => (outcome as PredictionCompleted)?.Metadata;

    private static object WithoutMetadata(object outcome) =>
        outcome is PredictionCompleted completed ? completed with { Metadata = null! } : outcome;
}
