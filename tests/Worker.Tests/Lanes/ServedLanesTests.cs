using Predictions.Contracts;
using Predictions.Messaging.Catalog;
using Predictions.Worker.Lanes;
using Predictions.Worker.Models;

namespace Predictions.Worker.Tests.Lanes;

/// <summary>Where a worker serving doubling:2 (the default) and item-scorer:1 computes each request it is handed.</summary>
public sealed class ServedLanesTests : IDisposable
{
    private const string WorkQueue = "prediction-worker";

    private const string Manifest = """{ "backend": "Simulated", "factor": 2, "cost": "00:00:00" }""";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("worker-catalog-");
    private readonly ServedLanes _lanes;

    public ServedLanesTests()
    {
        foreach (var version in new[] { "doubling/1", "doubling/2", "item-scorer/1" })
        {
            var folder = Directory.CreateDirectory(Path.Combine([_folder.FullName, .. version.Split('/')]));
            File.WriteAllText(Path.Combine(folder.FullName, ModelCatalog.ManifestFile), Manifest);
        }

        _lanes = Lanes(ModelCatalog.Load(_folder.FullName));
    }

    private ServedLane Doubling => _lanes.All[0];

    private ServedLane ItemScorer => _lanes.All[1];

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void A_request_naming_no_model_is_computed_in_the_lane_whose_queue_it_came_by()
    {
        Assert.Equal("prediction-worker.item-scorer.1", ItemScorer.Queue);

        Assert.Same(ItemScorer, _lanes.Choose(Request(null), ItemScorer.Queue).Lane);
        Assert.Same(ItemScorer, _lanes.Choose(Request(null), ItemScorer.SuspectQueue).Lane);
        Assert.Same(Doubling, _lanes.Choose(Request(null), "prediction-worker").Lane);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("prediction-status-requests")]
    public void A_request_naming_no_model_that_came_by_no_lane_is_computed_in_the_default_models_lane(string? queue)
    {
        var choice = _lanes.Choose(Request(null), queue);

        Assert.Same(Doubling, choice.Lane);
        Assert.Equal(Doubling.Identity, choice.Model);
    }

    [Theory]
    [InlineData("item-scorer", 1)]
    [InlineData("item-scorer:1", 1)]
    [InlineData("doubling", 0)]
    [InlineData("doubling:2", 0)]
    public void A_request_naming_a_served_model_is_computed_in_its_lane_whichever_queue_it_came_by(string model, int lane)
    {
        foreach (var queue in new[] { Doubling.Queue, ItemScorer.Queue, ItemScorer.SuspectQueue })
        {
            var choice = _lanes.Choose(Request(model), queue);

            Assert.Same(_lanes.All[lane], choice.Lane);
            Assert.Null(choice.Elsewhere);
            Assert.Null(choice.Problem);
        }
    }

    [Fact]
    public void A_request_naming_a_catalog_model_not_served_here_belongs_elsewhere()
    {
        var choice = _lanes.Choose(Request("doubling:1"), Doubling.Queue);

        Assert.Null(choice.Lane);
        Assert.Equal(new ModelIdentity { Name = "doubling", Version = "1" }, choice.Elsewhere);
        Assert.Equal(choice.Elsewhere, choice.Model);
        Assert.Null(choice.Problem);
    }

    [Theory]
    [InlineData("nosuch", "'nosuch'")]
    [InlineData("doubling:3", "version 3")]
    [InlineData("NoSuch", "'NoSuch'")]
    [InlineData("doubling.2", "'doubling.2'")]
    public void A_request_naming_a_model_the_catalog_does_not_have_is_a_problem_naming_it(string model, string named)
    {
        var choice = _lanes.Choose(Request(model), ItemScorer.Queue);

        Assert.Null(choice.Lane);
        Assert.Null(choice.Elsewhere);
        Assert.Null(choice.Model);
        Assert.Contains(named, choice.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("item-scorer", 1)]
    [InlineData("doubling:2", 0)]
    public void Without_a_catalog_a_request_naming_a_served_model_is_computed_in_its_lane(string model, int lane)
    {
        var lanes = Lanes(ModelCatalog.Empty);

        Assert.Same(lanes.All[lane], lanes.Choose(Request(model), WorkQueue).Lane);
    }

    [Theory]
    [InlineData("doubling:1")]
    [InlineData("nosuch")]
    public void Without_a_catalog_a_request_naming_any_other_model_is_a_problem_naming_it_and_those_served(string model)
    {
        var choice = Lanes(ModelCatalog.Empty).Choose(Request(model), WorkQueue);

        Assert.Null(choice.Lane);
        Assert.Null(choice.Elsewhere);
        Assert.Contains($"'{model}'", choice.Problem, StringComparison.Ordinal);
        Assert.Contains("doubling:2, item-scorer:1", choice.Problem, StringComparison.Ordinal);
    }

    private static ServedLanes Lanes(ModelCatalog catalog)
    {
        var doubling = new NamedModel("doubling", "2");
        return new ServedLanes(
            [
                new ServedLane(0, doubling, isDefault: true, maxBatchSize: null, share: 1),
                new ServedLane(1, new NamedModel("item-scorer", "1"), false, null, 1),
            ],
            doubling.Identity,
            catalog);
    }

    private static PredictionRequest Request(string? model) => new() { ItemId = 7, FeatureValue = 2.5, Model = model };

    private sealed class NamedModel(string name, string version) : IPredictionModel
    {
        public ModelIdentity Identity { get; } = new() { Name = name, Version = version };

        public bool SupportsBatching => false;

        public IReadOnlyList<double> Predict(IReadOnlyList<ModelInput> inputs) => [.. inputs.Select(input => 2 * input.FeatureValue)];
    }
}
