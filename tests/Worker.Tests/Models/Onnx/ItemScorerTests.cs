using System.Text.Json;
using Predictions.Worker.Models;

namespace Predictions.Worker.Tests.Models.Onnx;

/// <summary><c>models/item-scorer/1/model.onnx</c> under ONNX Runtime against the scores numpy computed when it was built.</summary>
public sealed class ItemScorerTests
{
    // float32 all through; the runtimes may sum in another order.
    private const double Tolerance = 1e-5;

    private static readonly List<(ModelInput Input, double Score)> Reference = ReadReference();

    [Fact]
    public void A_batch_matches_the_reference_scores()
    {
        using var model = ShippedModels.ItemScorer();

        var scores = model.Predict([.. Reference.Select(r => r.Input)]);

        Assert.Equal(Reference.Count, scores.Count);
        for (var i = 0; i < scores.Count; i++)
        {
            Assert.Equal(Reference[i].Score, scores[i], Tolerance);
        }
    }

    [Fact]
    public void One_item_at_a_time_matches_the_reference_scores_and_the_batch()
    {
        using var model = ShippedModels.ItemScorer();
        var batch = model.Predict([.. Reference.Select(r => r.Input)]);

        var single = Reference.Select(r => Assert.Single(model.Predict([r.Input]))).ToList();

        for (var i = 0; i < single.Count; i++)
        {
            Assert.Equal(Reference[i].Score, single[i], Tolerance);
            Assert.Equal(batch[i], single[i], Tolerance);
        }
    }

    [Fact]
    public void Its_score_follows_the_items_features()
    {
        using var model = ShippedModels.ItemScorer();

        var scores = model.Predict([.. Reference.Select(r => r.Input)]);

        // The reference items span the model's range, and the model scores each of them as numpy did.
        Assert.True(scores.Max() - scores.Min() > 0.5, $"the model's scores hardly differ: {string.Join(", ", scores)}");
        Assert.All(scores, score => Assert.InRange(score, 0, 1));
        Assert.Equal(Reference.Select(r => r.Score), scores, (expected, actual) => Math.Abs(expected - actual) <= Tolerance);

        // The same request for each item: the item's own features alone move the score.
        var sameRequest = model.Predict([.. Reference.Select(r => r.Input with { FeatureValue = 0 })]);
        Assert.True(sameRequest.Max() - sameRequest.Min() > 0.5, $"the items' features hardly move the score: {string.Join(", ", sameRequest)}");
    }

    [Fact]
    public void An_item_without_a_feature_the_model_needs_fails_naming_the_feature()
    {
        using var model = ShippedModels.ItemScorer();
        var metadata = new Dictionary<string, double> { ["category"] = 3, ["popularity"] = 0.5 };

        var error = Assert.Throws<Predictions.Worker.Models.Onnx.MissingFeatureException>(() => model.Predict([new ModelInput(1, metadata)]));

        Assert.Equal("price", error.Feature);
        Assert.Contains("'price'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Model:Features", error.Message, StringComparison.Ordinal);
    }

    private static List<(ModelInput Input, double Score)> ReadReference()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(ShippedModels.Folder, "item-scorer.reference.json")));
        var features = json.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Equal(ShippedModels.ItemScorerFeatures, features);
        return [.. json.RootElement.GetProperty("cases").EnumerateArray().Select(c =>
        {
            var row = c.GetProperty("input").EnumerateArray().Select(v => v.GetDouble()).ToList();
            var metadata = features.Skip(1).Select((name, i) => (name, row[i + 1])).ToDictionary(f => f.name, f => f.Item2);
            return (new ModelInput(row[0], metadata), c.GetProperty("score").GetDouble());
        })];
    }
}
