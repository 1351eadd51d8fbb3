using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Gateway;

/// <summary>Each API key has a rate of its own: one client's burst never throttles another.</summary>
[Collection(BrokerCollection.Name)]
public sealed class RateLimitTests(BrokerFixture fixture)
{
    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_retry_after_while_other_keys_and_probes_are_not_throttled()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(new Dictionary<string, string>(Settings.TwoApiKeys)
        {
            ["Auth:RateLimit:PermitsPerSecond"] = "1",
            ["Auth:RateLimit:Burst"] = "2",
        });
        using var alice = system.ClientWithKey(Settings.AliceKey);
        using var bob = system.ClientWithKey(Settings.BobKey);

        // A burst of two, then at most one a second: well before ten requests one is refused.
        var accepted = 0;
        HttpResponseMessage refused;
        while (true)
        {
            var response = await alice.PostAsync(
                "/predictions", new StringContent("""{"itemId": 1, "featureValue": 1}""", Encoding.UTF8, "application/json"));
            if (response.StatusCode != HttpStatusCode.Accepted || accepted == 10)
            {
                refused = response;
                break;
            }

            accepted++;
            response.Dispose();
        }

        using (refused)
        {
            Assert.True(
                refused.StatusCode == HttpStatusCode.TooManyRequests, $"{(int)refused.StatusCode} after {accepted} accepted\n{system.Describe()}");
            Assert.InRange(accepted, 2, 9);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.Equal("tag:predictions.gateway,2026:rate-limited", problem.GetProperty("type").GetString());
            var retryAfter = refused.Headers.RetryAfter?.Delta;
            Assert.True(retryAfter >= TimeSpan.FromSeconds(1) && retryAfter <= TimeSpan.FromSeconds(2), $"Retry-After was {retryAfter}");
        }

        using var bobs = await bob.PostAsync(
            "/predictions", new StringContent("""{"itemId": 2, "featureValue": 2}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, bobs.StatusCode);
        for (var i = 0; i < 10; i++)
        {
            using var probe = await alice.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }

        var metrics = await system.Http.GetStringAsync("/metrics");
        Assert.Equal(1, PrometheusText.Sample(metrics, "prediction_submissions_total", "prediction_submission_result=\"rate_limited\""));
        Assert.Equal(accepted + 1, PrometheusText.Sample(metrics, "prediction_submissions_total", "prediction_submission_result=\"accepted\""));
        Assert.Equal(
            1, PrometheusText.Sample(metrics, "aspnetcore_rate_limiting_requests_total", "aspnetcore_rate_limiting_result=\"endpoint_limiter\""));
    }

    [Fact]
    public async Task Reads_draw_on_the_same_rate_as_submissions()
    {
        const int Burst = 5;
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartGatewayAsync(new Dictionary<string, string>(Settings.TwoApiKeys)
        {
            ["Auth:RateLimit:PermitsPerSecond"] = "1",
            ["Auth:RateLimit:Burst"] = Burst.ToString(CultureInfo.InvariantCulture),
        });
        using var alice = system.ClientWithKey(Settings.AliceKey);

        // Submissions empty the key's bucket...
        string? id = null;
        for (var submitted = 0; ; submitted++)
        {
            using var response = await alice.PostAsync(
                "/predictions", new StringContent("""{"itemId": 1, "featureValue": 1}""", Encoding.UTF8, "application/json"));
            if (response.StatusCode != HttpStatusCode.Accepted || submitted == 2 * Burst)
            {
                Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{(int)response.StatusCode} after {submitted} accepted");
                break;
            }

            id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        }

        // ...so reads find it empty: they get at most the tokens it regained meanwhile (one a second), not a bucket of their own.
        var emptied = Stopwatch.StartNew();
        var reads = 0;
        HttpResponseMessage refused;
        while (true)
        {
            var response = await alice.GetAsync($"/predictions/{id}");
            if (response.StatusCode != HttpStatusCode.OK || reads == 2 * Burst)
            {
                refused = response;
                break;
            }

            reads++;
            response.Dispose();
        }

        using (refused)
        {
            Assert.True(refused.StatusCode == HttpStatusCode.TooManyRequests, $"GET answered {(int)refused.StatusCode} after {reads} reads");
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("tag:predictions.gateway,2026:rate-limited", problem.GetProperty("type").GetString());
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        Assert.True(
            reads <= 1 + (int)emptied.Elapsed.TotalSeconds,
            $"{reads} reads passed in the {emptied.Elapsed.TotalSeconds:0.#} s after submissions emptied the bucket");
    }
}
