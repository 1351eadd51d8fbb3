using System.Text.Json;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Integration.Tests.Pipeline;

namespace Predictions.Integration.Tests.Inference;

/// <summary>Micro-batching seen from outside: concurrent requests share model calls and still get their own answers.</summary>
[Collection(BrokerCollection.Name)]
public sealed class BatchingTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Concurrent_requests_are_scored_in_shared_model_calls_with_the_scores_numpy_computed()
    {
        var cases = ScorerReference();
        await using var metadata = await MetadataServer.StartAsync();
        for (var i = 0; i < cases.Count; i++)
        {
            metadata.Items[1000 + i] = new Dictionary<string, double>
            {
                ["category"] = cases[i].Input[1],
                ["price"] = cases[i].Input[2],
                ["popularity"] = cases[i].Input[3],
            };
        }

        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(HttpMetadataTests.WithHttpMetadata(metadata, new Dictionary<string, string>(Settings.ItemScorer)
        {
            ["Inference:MaxConcurrency"] = "1",
            ["Inference:MaxBatchSize"] = "16",
            ["Inference:MaxBatchDelay"] = "00:00:00.2",
        }));
        await system.StartGatewayAsync();
        using var probes = new HttpClient { BaseAddress = system.WorkerProbes };

        // Every reference case four times over, all at once.
        var submitted = Enumerable.Range(0, 4 * cases.Count).Select(n => n % cases.Count).ToList();
        var accepted = await Task.WhenAll(submitted.Select(i => system.SubmitAsync(1000 + i, cases[i].Input[0])));

        for (var n = 0; n < submitted.Count; n++)
        {
            var outcome = await system.WaitForOutcomeAsync(accepted[n].GetProperty("id").GetString()!, Timeout);
            Assert.Equal("completed", outcome.GetProperty("status").GetString());
            Assert.Equal(cases[submitted[n]].Score, outcome.GetProperty("prediction").GetDouble(), 1e-5);
            Assert.Equal("item-scorer", outcome.GetProperty("model").GetProperty("name").GetString());
        }

        var exposition = await probes.GetStringAsync("/metrics");
        var calls = PrometheusText.Sample(exposition, "prediction_inference_batch_size_count");
        Assert.Equal(submitted.Count, PrometheusText.Sample(exposition, "prediction_inference_batch_size_sum"));
        Assert.True(calls < submitted.Count, $"{submitted.Count} predictions took {calls} model calls: none was batched.\n{worker.Output}");
        Assert.True(
            PrometheusText.Sample(exposition, "prediction_stage_duration_seconds_count", "prediction_stage=\"batch_wait\"") == submitted.Count);
    }

    private static List<(double[] Input, double Score)> ScorerReference()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "models", "item-scorer.reference.json")));
        return [.. reference.RootElement.GetProperty("cases").EnumerateArray().Select(c => (
            c.GetProperty("input").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            c.GetProperty("score").GetDouble()))];
    }
}
