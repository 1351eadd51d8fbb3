using Predictions.Contracts;
using Predictions.Messaging.Catalog;

namespace Predictions.Messaging.Tests.Catalog;

public sealed class ModelReferenceTests
{
    [Fact]
    public void A_name_alone_names_the_latest_version()
    {
        Assert.True(ModelReference.TryParse("item-scorer", out var reference));

        Assert.Equal(new ModelReference("item-scorer", null), reference);
        Assert.Null(reference.Identity);
        Assert.Equal("item-scorer", reference.ToString());
    }

    [Fact]
    public void A_name_and_version_name_that_version()
    {
        Assert.True(ModelReference.TryParse("item_scorer-2:12", out var reference));

        Assert.Equal(new ModelReference("item_scorer-2", 12), reference);
        Assert.Equal(new ModelIdentity { Name = "item_scorer-2", Version = "12" }, reference.Identity);
        Assert.Equal("item_scorer-2:12", reference.ToString());
    }

    [Fact]
    public void A_name_and_alias_name_the_version_the_alias_points_to()
    {
        Assert.True(ModelReference.TryParse("doubling:stable", out var reference));

        Assert.Equal(new ModelReference("doubling", null, "stable"), reference);
        Assert.Null(reference.Identity);
        Assert.Equal("doubling:stable", reference.ToString());
        Assert.True(ModelReference.TryParse("doubling:v2", out var lettered));
        Assert.Equal("v2", lettered.Alias);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("NoSuch")]
    [InlineData("doubling.2")]
    [InlineData("doubling:0")]
    [InlineData("doubling:")]
    [InlineData(":2")]
    [InlineData("doubling:-1")]
    [InlineData("doubling:V2")]
    [InlineData("doubling:-x")]
    [InlineData("doubling:2x")]
    [InlineData("doubling:sta ble")]
    [InlineData("doubling:2:3")]
    [InlineData("-doubling")]
    [InlineData("doubling/2")]
    [InlineData(" doubling")]
    public void A_reference_of_another_shape_is_refused(string text)
    {
        Assert.False(ModelReference.TryParse(text, out var reference));
        Assert.Null(reference);
    }

    [Fact]
    public void No_text_is_no_reference()
    {
        Assert.False(ModelReference.TryParse(null, out _));
    }

    [Theory]
    [InlineData("doubling", true)]
    [InlineData("item-scorer", true)]
    [InlineData("Doubling", false)]
    [InlineData("doubling.2", false)]
    [InlineData("doubling:2", false)]
    [InlineData("", false)]
    public void A_name_is_lower_case_letters_digits_dashes_and_underscores(string text, bool isName)
    {
        Assert.Equal(isName, ModelReference.IsName(text));
    }
}
