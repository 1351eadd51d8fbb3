using System.Net;
using System.Text;
using System.Text.Json;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Gateway;

[Collection(BrokerCollection.Name)]
public sealed class SubmissionTests(BrokerFixture fixture)
{
    private static readonly (string Name, string Body, HttpStatusCode Status, string? Field)[] BadRequests =
    [
        ("missing itemId", """{"featureValue": 5.0}""", HttpStatusCode.BadRequest, "itemId"),
        ("missing featureValue", """{"itemId": 1}""", HttpStatusCode.BadRequest, "featureValue"),
        ("itemId as text", """{"itemId": "abc", "featureValue": 5.0}""", HttpStatusCode.BadRequest, "itemId"),
        ("fractional itemId", """{"itemId": 1.5, "featureValue": 5.0}""", HttpStatusCode.BadRequest, "itemId"),
        ("featureValue as text", """{"itemId": 1, "featureValue": "5"}""", HttpStatusCode.BadRequest, "featureValue"),
        ("NaN literal", """{"itemId": 1, "featureValue": NaN}""", HttpStatusCode.BadRequest, "featureValue"),
        ("Infinity literal", """{"itemId": 1, "featureValue": Infinity}""", HttpStatusCode.BadRequest, "featureValue"),
        ("number beyond double", """{"itemId": 1, "featureValue": 1e400}""", HttpStatusCode.BadRequest, "featureValue"),
        ("\"NaN\" string", """{"itemId": 1, "featureValue": "NaN"}""", HttpStatusCode.BadRequest, "featureValue"),
        ("\"Infinity\" string", """{"itemId": 1, "featureValue": "Infinity"}""", HttpStatusCode.BadRequest, "featureValue"),
        ("featureValue cut off", """{"itemId": 1, "featureValue": """, HttpStatusCode.BadRequest, "featureValue"),
        ("missing comma", """{"itemId": 1 "featureValue": 5.0}""", HttpStatusCode.BadRequest, "body"),
        ("unquoted names", "{itemId: 1, featureValue: 5.0}", HttpStatusCode.BadRequest, "body"),
        ("duplicate itemId", """{"itemId": 1, "itemId": 2, "featureValue": 5.0}""", HttpStatusCode.BadRequest, "itemId"),
        ("too deep", """{"itemId": 1, "featureValue": 5.0, "x": [[[[[[[[[[1]]]]]]]]]]}""", HttpStatusCode.BadRequest, "body"),
        ("not an object", "[1, 2]", HttpStatusCode.BadRequest, "body"),
        ("empty body", "", HttpStatusCode.BadRequest, "body"),
        ("predictionId given", """{"predictionId": "0199a0b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b", "itemId": 1, "featureValue": 5.0}""",
            HttpStatusCode.BadRequest, "predictionId"),
        ("predictionId not a UUID", """{"predictionId": 42, "itemId": 1, "featureValue": 5.0}""", HttpStatusCode.BadRequest, "predictionId"),
        ("deadline passed", """{"itemId": 1, "featureValue": 5.0, "deadline": "2020-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "deadline"),
        ("deadline not a time", """{"itemId": 1, "featureValue": 5.0, "deadline": "soon"}""", HttpStatusCode.BadRequest, "deadline"),
        ("oversized body", $$"""{"itemId": 1, "featureValue": 5.0, "padding": "{{new string('x', 20_000)}}"}""",
            HttpStatusCode.RequestEntityTooLarge, null),
    ];

    [Fact]
    public async Task Rejected_requests_get_problem_details_naming_the_field_and_publish_nothing()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();

        var failures = new List<string>();
        foreach (var (name, body, status, field) in BadRequests)
        {
            using var response = await system.Http.PostAsync("/predictions", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != status
                || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || (field is not null && !JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _)))
            {
                failures.Add($"{name}: expected {(int)status} naming '{field}', got {(int)response.StatusCode} {text}");
            }
        }

        Assert.Empty(failures);

        // Nothing reached the broker: after one valid request the work queue holds exactly one.
        await system.SubmitAsync(1, 5.0);
        uint? waiting = null;
        await Eventually.HoldsAsync(
            async () => (waiting = (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages) == 1,
            TimeSpan.FromSeconds(30),
            () => $"the work queue holds {waiting} requests");
    }

    [Fact]
    public async Task Body_that_is_not_json_gets_415()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();

        using var response = await system.Http.PostAsync(
            "/predictions", new StringContent("itemId=1&featureValue=5", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_prediction_is_404_problem_details()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync();

        using var response = await system.Http.GetAsync($"/predictions/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_broker_that_withholds_its_confirm_gets_503_never_202()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(new Dictionary<string, string> { ["Gateway:PublishTimeout"] = "00:00:01" });

        // The first submission makes the work queue; then the queue stops confirming while the connection stays up.
        await system.SubmitAsync(1, 5.0);
        await fixture.Broker.Control.SuspendQueueAsync(system.Broker.Name, Topology.WorkQueue);
        try
        {
            using var response = await system.Http.PostAsync(
                "/predictions", new StringContent("""{"itemId": 2, "featureValue": 5.0}""", Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.RetryAfter);
        }
        finally
        {
            await fixture.Broker.Control.ResumeQueueAsync(system.Broker.Name, Topology.WorkQueue);
        }

        // The same gateway and connection: once the queue confirms again, submissions are accepted again.
        await system.SubmitAsync(3, 5.0);
    }

    [Fact]
    public async Task Without_a_reachable_broker_a_submission_gets_503_never_202_and_the_gateway_is_not_ready()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var gateway = ServiceProcess.Start("Gateway", new Dictionary<string, string>
        {
            ["ConnectionStrings__RabbitMq"] = $"amqp://guest:guest@127.0.0.1:{Ports.Free()}/",
            ["ConnectionStrings__Results"] = $"Data Source={system.ResultsDatabase}",
            ["Gateway__PublishTimeout"] = "00:00:01",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });
        await using var _ = gateway;
        using var http = new HttpClient { BaseAddress = await gateway.WaitForListeningAddressAsync(TimeSpan.FromSeconds(60)) };

        using var response = await http.PostAsync(
            "/predictions", new StringContent("""{"itemId": 1, "featureValue": 5.0}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.NotEqual(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
    }
}
