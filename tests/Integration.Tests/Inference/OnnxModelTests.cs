using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Inference;

/// <summary>A worker serving <c>models/doubling/2/model.onnx</c> through ONNX Runtime answers exactly as the simulated model does.</summary>
[Collection(BrokerCollection.Name)]
public sealed partial class OnnxModelTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Values whose doubles a float32 model would get wrong (0.1, 1e-300) or lose (1e10's last digits).
    private static readonly double[] FeatureValues = [0.1, -3.7, 1e10, 1e-300, 5, 123456.789];

    private static readonly Dictionary<string, string> DoublingModel = new()
    {
        ["Model:Backend"] = "Onnx",
        ["Model:Path"] = "models/doubling/2/model.onnx",
        ["Metadata:SimulatedLatency"] = "00:00:00.05",
    };

    [Fact]
    public async Task Over_http_the_onnx_model_gives_exactly_twice_the_feature_value()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(DoublingModel);
        await system.StartGatewayAsync();
        await worker.WaitForOutputAsync(LoadedDoubling(), Timeout);

        var accepted = await Task.WhenAll(FeatureValues.Select((value, i) => system.SubmitAsync(i + 1, value)));

        for (var i = 0; i < FeatureValues.Length; i++)
        {
            var outcome = await system.WaitForOutcomeAsync(accepted[i].GetProperty("id").GetString()!, Timeout);
            Assert.Equal("completed", outcome.GetProperty("status").GetString());
            Assert.Equal(2 * FeatureValues[i], outcome.GetProperty("prediction").GetDouble());
            Assert.Equal("doubling", outcome.GetProperty("model").GetProperty("name").GetString());
        }

        var audited = await system.Audit.WaitForAsync([.. accepted.Select(a => a.GetProperty("id").GetString()!)], Timeout);
        Assert.All(audited, row => Assert.Equal("doubling 1", row.Model));
    }

    [Fact]
    public async Task Over_amqp_the_onnx_model_gives_exactly_twice_the_feature_value()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(DoublingModel);
        await worker.WaitForOutputAsync(LoadedDoubling(), Timeout);
        var results = await system.Broker.BindQueueAsync(Topology.PredictionCompleted);
        var ids = FeatureValues.Select(_ => Guid.NewGuid()).ToList();

        for (var i = 0; i < FeatureValues.Length; i++)
        {
            var value = FeatureValues[i].ToString("R", CultureInfo.InvariantCulture);
            await system.Broker.PublishAsync(
                Topology.PredictionRequests, $$"""{"predictionId": "{{ids[i]}}", "itemId": {{i + 1}}, "featureValue": {{value}}}""");
        }

        var predictions = new Dictionary<Guid, double>();
        var models = new HashSet<string>();
        await Eventually.HoldsAsync(
            async () =>
            {
                while (await system.Broker.GetAsync(results) is { } delivery)
                {
                    var message = JsonDocument.Parse(Encoding.UTF8.GetString(delivery.Body.Span)).RootElement.GetProperty("message");
                    predictions[message.GetProperty("predictionId").GetGuid()] = message.GetProperty("prediction").GetDouble();
                    models.Add(
                        $"{message.GetProperty("model").GetProperty("name").GetString()} "
                        + $"{message.GetProperty("model").GetProperty("version").GetString()}");
                }

                return predictions.Count == ids.Count;
            },
            Timeout,
            () => $"{predictions.Count} of {ids.Count} results arrived.\n{system.Describe()}");
        for (var i = 0; i < FeatureValues.Length; i++)
        {
            Assert.Equal(2 * FeatureValues[i], predictions[ids[i]]);
        }

        Assert.Equal(["doubling 1"], models);
    }

    [Fact]
    public async Task The_item_scorer_scores_items_from_their_metadata_and_fails_an_item_missing_a_feature()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.ItemScorer);
        await system.StartGatewayAsync();

        var accepted = await Task.WhenAll(Enumerable.Range(1, 4).Select(item => system.SubmitAsync(item, item - 2.5)));
        var scores = new List<double>();
        foreach (var id in accepted.Select(a => a.GetProperty("id").GetString()!))
        {
            var outcome = await system.WaitForOutcomeAsync(id, Timeout);
            Assert.Equal("completed", outcome.GetProperty("status").GetString());
            scores.Add(outcome.GetProperty("prediction").GetDouble());
        }

        Assert.All(scores, score => Assert.InRange(score, 0, 1));
        Assert.True(scores.Distinct().Count() > 1, $"every item scored the same: {string.Join(", ", scores)}");
    }

    [Fact]
    public async Task An_item_without_a_feature_the_model_needs_fails_naming_it()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(new Dictionary<string, string>(Settings.ItemScorer) { ["Model:Features:2"] = "weight" });
        await system.StartGatewayAsync();

        var id = (await system.SubmitAsync(1, 2)).GetProperty("id").GetString()!;
        var outcome = await system.WaitForOutcomeAsync(id, Timeout);

        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        Assert.Contains("the item has no metadata 'weight'", outcome.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    // The simulated model doubles too: the log line shows the answers came from the ONNX file.
    [GeneratedRegex(@"Model doubling version 1 loaded from \S*models/doubling/2/model\.onnx")]
    private static partial Regex LoadedDoubling();
}
