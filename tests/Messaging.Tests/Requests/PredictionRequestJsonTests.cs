using System.Text;
using Predictions.Messaging.Requests;

namespace Predictions.Messaging.Tests.Requests;

/// <summary>The plain JSON both doors read: each bad body is refused with one error that names its field, in these words.</summary>
public sealed class PredictionRequestJsonTests
{
    [Theory]
    [InlineData("", "body", "is empty: send a JSON object with itemId and featureValue.")]
    [InlineData("null", "body", "must be a JSON object with itemId and featureValue.")]
    [InlineData("[1, 2]", "body", "is not a valid JSON object with itemId and featureValue (line 1, byte 2).")]
    [InlineData("""{"itemId": 1,""", "body", "is not a valid JSON object with itemId and featureValue (line 1, byte 13).")]
    [InlineData("""{"featureValue": 5.0}""", "itemId", "is required: an integer item id.")]
    [InlineData("""{"itemId": 1}""", "featureValue", "is required: a finite number.")]
    [InlineData("""{"itemId": "abc", "featureValue": 5.0}""", "itemId",
        "must appear once, as an integer (a JSON number without a fraction or exponent).")]
    [InlineData("""{"itemId": 1.5, "featureValue": 5.0}""", "itemId",
        "must appear once, as an integer (a JSON number without a fraction or exponent).")]
    [InlineData("""{"ITEMID": 1, "itemId": 2, "featureValue": 5.0}""", "itemId",
        "must appear once, as an integer (a JSON number without a fraction or exponent).")]
    [InlineData("""{"itemId": 1, "featureValue": "5"}""", "featureValue",
        "must appear once, as a finite number (a JSON number, not a string; NaN and Infinity are not numbers in JSON).")]
    [InlineData("""{"itemId": 1, "featureValue": NaN}""", "featureValue",
        "must appear once, as a finite number (a JSON number, not a string; NaN and Infinity are not numbers in JSON).")]
    [InlineData("""{"itemId": 1, "featureValue": 1e400}""", "featureValue",
        "must be a finite number (NaN, Infinity and values beyond ±1.7e308 are not).")]
    [InlineData("""{"predictionId": 42, "itemId": 1, "featureValue": 5.0}""", "predictionId", "must appear once, as a UUID string.")]
    [InlineData("""{"submittedAt": "yesterday", "itemId": 1, "featureValue": 5.0}""", "submittedAt",
        "must appear once, as an ISO 8601 date and time string.")]
    [InlineData("""{"deadline": "soon", "itemId": 1, "featureValue": 5.0}""", "deadline",
        "must appear once, as an ISO 8601 date and time string with its offset (for example 2026-01-31T12:00:05Z).")]
    [InlineData("""{"itemId": 1, "featureValue": 5.0, "x": [[[[[[[[[[1]]]]]]]]]]}""", "body",
        "is not a valid JSON object with itemId and featureValue (line 1, byte 48).")]
    public async Task A_bad_body_is_refused_naming_its_field(string body, string field, string message)
    {
        var read = PredictionRequestJson.Read(Encoding.UTF8.GetBytes(body));
        var readAsync = await PredictionRequestJson.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), CancellationToken.None);

        Assert.Equal([field], read.Errors.Keys);
        Assert.Equal([message], read.Errors[field]);
        Assert.Equal($"{field} {message}", read.Describe());
        Assert.Equal(read.Errors, readAsync.Errors);
    }

    [Theory]
    [InlineData("""{"itemId": null, "featureValue": 5.0}""", "itemId", "is required: an integer item id.")]
    [InlineData("""{"itemId": 1, "featureValue": null}""", "featureValue", "is required: a finite number.")]
    public void A_required_field_sent_as_null_is_missing(string body, string field, string message)
    {
        var read = PredictionRequestJson.Read(Encoding.UTF8.GetBytes(body));

        Assert.Equal([message], read.Errors[field]);
    }

    [Fact]
    public void Both_missing_fields_are_named_at_once()
    {
        var read = PredictionRequestJson.Read("{}"u8);

        Assert.Equal(["itemId", "featureValue"], read.Errors.Keys);
    }

    [Fact]
    public void A_valid_body_gives_every_field_whatever_the_case_of_its_name()
    {
        var read = PredictionRequestJson.Read("""
            {"PredictionId": "0199a0b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b", "itemId": 7, "FEATUREVALUE": 2.5,
             "submittedAt": "2026-01-31T12:00:00+01:00", "deadline": "2026-01-31T12:00:05Z", "unknown": {"a": 1}}
            """u8);

        Assert.True(read.IsValid, read.Describe());
        Assert.Equal(Guid.Parse("0199a0b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b"), read.Request!.PredictionId);
        Assert.Equal(7, read.Request!.ItemId);
        Assert.Equal(2.5, read.Request!.FeatureValue);
        Assert.Equal(DateTimeOffset.Parse("2026-01-31T11:00:00Z"), read.Request!.SubmittedAt);
        Assert.Equal(DateTimeOffset.Parse("2026-01-31T12:00:05Z"), read.Request!.Deadline);
    }
}
