namespace Predictions.Worker.Tests.Models.Onnx;

public sealed class ModelIdentityTests
{
    [Fact]
    public void Name_and_version_come_from_the_models_metadata()
    {
        using var doubling = ShippedModels.Doubling();
        using var scorer = ShippedModels.ItemScorer();

        Assert.Equal(("doubling", "1"), (doubling.Identity.Name, doubling.Identity.Version));
        Assert.Equal(("item-scorer", "1"), (scorer.Identity.Name, scorer.Identity.Version));
    }

    [Fact]
    public void Settings_override_the_models_metadata()
    {
        using var model = ShippedModels.Doubling(name: "twice", version: "2026.1");

        Assert.Equal(("twice", "2026.1"), (model.Identity.Name, model.Identity.Version));
    }
}
