using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Gateway;

/// <summary>Who may read what: with API keys on, a prediction is its submitter's, and only probes stay open.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ApiKeyTests(BrokerFixture fixture)
{
    private const string Body = """{"itemId": 5, "featureValue": 1.5}""";

    [Fact]
    public async Task Without_a_key_predictions_are_401_while_probes_metrics_and_the_reference_stay_open()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(Settings.TwoApiKeys);

        using var submit = await system.Http.PostAsync("/predictions", Json(Body));
        using var read = await system.Http.GetAsync($"/predictions/{Guid.NewGuid()}");

        foreach (var response in new[] { submit, read })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(response.Headers.WwwAuthenticate, challenge => challenge.Scheme == "ApiKey");
            Assert.Equal(401, (await BodyAsync(response)).GetProperty("status").GetInt32());
        }

        foreach (var open in new[] { "/health/live", "/health/ready", "/metrics", "/openapi/v1.json", "/scalar/" })
        {
            using var response = await system.Http.GetAsync(open);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{open} answered {(int)response.StatusCode} without a key");
        }

        Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages ?? 0u);

        // The reference tells clients where the key goes.
        var document = JsonDocument.Parse(await system.Http.GetStringAsync("/openapi/v1.json")).RootElement;
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        var security = document.GetProperty("paths").GetProperty("/predictions").GetProperty("post").GetProperty("security");
        Assert.True(security[0].TryGetProperty("ApiKey", out _), security.ToString());
    }

    [Fact]
    public async Task A_wrong_key_is_401_in_either_header_and_publishes_nothing()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(Settings.TwoApiKeys);
        using var wrong = system.ClientWithKey("mallory-0123456789abcdef");
        using var bearer = new HttpRequestMessage(HttpMethod.Post, "/predictions") { Content = Json(Body) };
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "mallory-0123456789abcdef");

        using var byHeader = await wrong.PostAsync("/predictions", Json(Body));
        using var byBearer = await system.Http.SendAsync(bearer);

        Assert.Equal(HttpStatusCode.Unauthorized, byHeader.StatusCode);
        Assert.Equal("The API key is not valid.", (await BodyAsync(byHeader)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, byBearer.StatusCode);
        Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages ?? 0u);
    }

    [Fact]
    public async Task A_prediction_is_read_only_with_the_key_that_submitted_it_also_when_waiting()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(Settings.TwoApiKeys);
        using var alice = system.ClientWithKey(Settings.AliceKey);
        using var bob = system.ClientWithKey(Settings.BobKey);
        using var submitted = await alice.PostAsync("/predictions", Json(Body));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await BodyAsync(submitted)).GetProperty("id").GetString();
        var unknown = Guid.NewGuid();

        using var alicesRead = await alice.GetAsync($"/predictions/{id}");
        using var bobsRead = await bob.GetAsync($"/predictions/{id}");
        using var unknownRead = await bob.GetAsync($"/predictions/{unknown}");
        var clock = Stopwatch.StartNew();
        using var bobsWait = await bob.GetAsync($"/predictions/{id}?wait=20");
        var bobWaited = clock.Elapsed;

        Assert.Equal(HttpStatusCode.OK, alicesRead.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bobsRead.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRead.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bobsWait.StatusCode);
        Assert.True(bobWaited < TimeSpan.FromSeconds(15), $"bob's wait on alice's prediction took {bobWaited}: a 404 should not wait");

        // Someone else's prediction reads exactly like one that does not exist.
        var bobsProblem = (await BodyAsync(bobsRead)).ToString();
        var unknownProblem = (await BodyAsync(unknownRead)).ToString();
        Assert.Equal(WithoutTraceId(unknownProblem).Replace(unknown.ToString(), id, StringComparison.Ordinal), WithoutTraceId(bobsProblem));

        // The outcome, waited for, is alice's too.
        await system.StartWorkerAsync(Settings.QuickModel);
        using var alicesWait = await alice.GetAsync($"/predictions/{id}?wait=30");
        Assert.Equal("completed", (await BodyAsync(alicesWait)).GetProperty("status").GetString());
        using var bobsLaterWait = await bob.GetAsync($"/predictions/{id}?wait=1");
        Assert.Equal(HttpStatusCode.NotFound, bobsLaterWait.StatusCode);
    }

    [Fact]
    public async Task An_idempotency_key_reused_with_another_api_key_makes_that_key_its_own_prediction()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(Settings.TwoApiKeys);
        using var alice = system.ClientWithKey(Settings.AliceKey);
        using var bob = system.ClientWithKey(Settings.BobKey);
        var key = Guid.NewGuid().ToString();

        var alices = await SubmitAsync(alice, key);
        var bobs = await SubmitAsync(bob, key);
        var alicesRetry = await SubmitAsync(alice, key);

        Assert.NotEqual(alices, bobs);
        Assert.Equal(alices, alicesRetry);
        Assert.Equal(2u, (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Messages);
        using var bobReadsAlices = await bob.GetAsync($"/predictions/{alices}");
        Assert.Equal(HttpStatusCode.NotFound, bobReadsAlices.StatusCode);
    }

    [Fact]
    public async Task A_prediction_published_straight_to_rabbitmq_is_readable_with_any_valid_key()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(Settings.TwoApiKeys);
        using var alice = system.ClientWithKey(Settings.AliceKey);
        using var bob = system.ClientWithKey(Settings.BobKey);
        var id = Guid.NewGuid();

        await system.Broker.PublishAsync(Topology.PredictionRequests, $$"""{"predictionId": "{{id}}", "itemId": 9, "featureValue": 2}""");

        await Eventually.HoldsAsync(
            async () => (await alice.GetAsync($"/predictions/{id}")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            () => $"the gateway never recorded the direct request.\n{system.Describe()}");
        using var bobsRead = await bob.GetAsync($"/predictions/{id}");
        using var anonymousRead = await system.Http.GetAsync($"/predictions/{id}");
        Assert.Equal(HttpStatusCode.OK, bobsRead.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousRead.StatusCode);
    }

    private static async Task<string> SubmitAsync(HttpClient client, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predictions") { Content = Json(Body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static string WithoutTraceId(string problem)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(problem)!;
        fields.Remove("traceId");
        return JsonSerializer.Serialize(fields);
    }
}
