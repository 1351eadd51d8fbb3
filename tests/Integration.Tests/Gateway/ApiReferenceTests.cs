using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;

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
        Assert.False(document.TryGetProperty("components", out var components) && components.TryGetProperty("securitySchemes", out _), "keys are off, yet the document asks for one");

        using var page = await system.Http.GetAsync("/scalar/");
        Assert.True(page.IsSuccessStatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }
}
