using System.ComponentModel.DataAnnotations;
using Predictions.Worker.Lanes;

namespace Predictions.Worker.Tests.Lanes;

/// <summary><c>Models:Serve</c>: names follow their rollout, name:version pins; anything else stops the start, naming the setting.</summary>
public sealed class ModelsOptionsTests
{
    [Theory]
    [InlineData("item-scorer")]
    [InlineData("item-scorer:1")]
    [InlineData("doubling, item-scorer:2")]
    public void Names_and_pinned_versions_are_taken(string serve) => Assert.Empty(Validate(serve));

    [Theory]
    [InlineData("item-scorer:stable")]
    [InlineData("Item-Scorer")]
    [InlineData(",")]
    public void An_alias_or_another_shape_is_refused_naming_the_setting(string serve)
    {
        var error = Assert.Single(Validate(serve));
        Assert.StartsWith($"Models:Serve is '{serve}'", error.ErrorMessage, StringComparison.Ordinal);
    }

    private static List<ValidationResult> Validate(string serve)
    {
        var options = new ModelsOptions { Default = "doubling", Serve = serve };
        return [.. options.Validate(new ValidationContext(options))];
    }
}
