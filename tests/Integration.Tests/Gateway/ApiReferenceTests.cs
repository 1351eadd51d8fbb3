using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging.Requests;

namespace Predictions.Integration.Tests.Gateway;

[Collection(BrokerCollection.Name)]
public sealed class ApiReferenceTests(BrokerFixture fixture)
{
    [Fact]
    public async Task The_gateway_serves_its_openapi_document_and_a_browsable_reference()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();

        var document = JsonDocument.Parse(await system.Http.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/predictions", out var submit));
        Assert.True(submit.GetProperty("post").GetProperty("responses").TryGetProperty("202", out _));
        Assert.True(paths.TryGetProperty("/predictions/{id}", out _));
        Assert.False(
            document.TryGetProperty("components", out var components) && components.TryGetProperty("securitySchemes", out _),
            "keys are off, yet the document asks for one");

        using var page = await system.Http.GetAsync("/scalar/");
        Assert.True(page.IsSuccessStatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_documented_request_body_is_the_request_contract_less_what_the_gateway_sets()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();

        var document = JsonDocument.Parse(await system.Http.GetStringAsync("/openapi/v1.json")).RootElement;
        var body = document.GetProperty("paths").GetProperty("/predictions").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        if (body.TryGetProperty("$ref", out var reference))
        {
            body = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        var taken = PredictionRequestValidator.Fields.Where(f => !PredictionRequestValidator.SetByGateway.Contains(f.Name)).ToList();
        var documented = body.GetProperty("properties");
        Assert.Equal(taken.Select(f => f.Name).Order(), documented.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(
            taken.Where(f => f.IsRequired).Select(f => f.Name).Order(),
            (body.TryGetProperty("required", out var required) ? required.EnumerateArray().Select(r => r.GetString()!) : []).Order());
        foreach (var field in taken)
        {
            var property = documented.GetProperty(field.Name);
            var description = ((MemberInfo)field.AttributeProvider!).GetCustomAttribute<DescriptionAttribute>()?.Description;
            Assert.True(description is not null, $"{field.Name} has no description on the contract");
            Assert.Equal(description, property.GetProperty("description").GetString());
            Assert.True(property.TryGetProperty("type", out _), $"{field.Name} has no type: {property}");
        }

        // What the validator gives as examples, the document shows, and each is a value its own reader accepts.
        var example = documented.EnumerateObject()
            .Where(p => p.Value.TryGetProperty("examples", out _))
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("examples")[0]);
        Assert.Equal(["deadline", "featureValue", "itemId", "model"], example.Keys.Order());
        var read = PredictionRequestJson.Read(JsonSerializer.SerializeToUtf8Bytes(example));
        Assert.True(read.IsValid, read.Describe());
    }
}
