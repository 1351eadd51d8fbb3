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

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("NoSuch")]
    [InlineData("doubling.2")]
    [InlineData("doubling:0")]
    [InlineData("doubling:")]
    [InlineData(":2")]
    [InlineData("doubling:-1")]
    [InlineData("doubling:v2")]
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
