using System.Net;
using System.Text.RegularExpressions;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Probes;

/// <summary>The operator's view: health probes and Prometheus metrics on both hosts.</summary>
[Collection(BrokerCollection.Name)]
public sealed class HealthAndMetricsTests(BrokerFixture fixture)
{
    [Fact]
    public async Task Both_hosts_are_live_and_ready_when_the_broker_is_up()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync();
        await system.StartGatewayAsync();
        using var probes = new HttpClient { BaseAddress = system.WorkerProbes };

        Assert.Equal(HttpStatusCode.OK, (await system.Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await system.Http.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await probes.GetAsync("/health/live")).StatusCode);
        await Eventually.HoldsAsync(async () => (await probes.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), () => "worker not ready");
    }

    [Fact]
    public async Task A_worker_without_its_broker_is_live_but_not_ready()
    {
        var probeUrl = new Uri($"http://127.0.0.1:{Ports.Free()}/");
        var worker = ServiceProcess.Start("Worker", new Dictionary<string, string>
        {
            ["ConnectionStrings__RabbitMq"] = $"amqp://guest:guest@127.0.0.1:{Ports.Free()}/",
            ["ConnectionStrings__Audit"] = "Data Source=:memory:",
            ["Probes__Url"] = probeUrl.ToString(),
        });
        await using var _ = worker;
        using var probes = new HttpClient { BaseAddress = probeUrl };

        await Eventually.HoldsAsync(async () => (await probes.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), () => worker.Output);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probes.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Metrics_show_stage_latencies_pool_use_and_outcomes()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();
        using var probes = new HttpClient { BaseAddress = system.WorkerProbes };

        var id = (await system.SubmitAsync(1, 2)).GetProperty("id").GetString()!;
        await system.WaitForOutcomeAsync(id, TimeSpan.FromSeconds(60));

        var worker = await probes.GetStringAsync("/metrics");
        foreach (var stage in new[] { "broker_wait", "metadata", "pool_wait", "inference" })
        {
            Assert.Equal(1, Sample(worker, "prediction_stage_duration_seconds_count", $"prediction_stage=\"{stage}\""));
        }

        Assert.Equal(1, Sample(worker, "prediction_outcomes_total", "prediction_outcome=\"completed\""));
        Assert.Equal(0, Sample(worker, "prediction_inference_threads", "state=\"busy\""));
        Assert.True(Sample(worker, "prediction_inference_threads", "state=\"idle\"") >= 1);
        Assert.Equal(0, Sample(worker, "prediction_inference_queue_length", ""));
        Assert.Equal(0, Sample(worker, "prediction_active", ""));

        var gateway = await system.Http.GetStringAsync("/metrics");
        Assert.Equal(1, Sample(gateway, "prediction_submissions_total", "prediction_submission_result=\"accepted\""));
        Assert.True(Sample(gateway, "http_server_request_duration_seconds_count", "http_route=\"/predictions/\"") >= 1);
    }

    /// <summary>The value of the one sample of <paramref name="metric"/> whose labels contain <paramref name="label"/>.</summary>
    private static double Sample(string exposition, string metric, string label)
    {
        var matches = exposition.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => line.Contains(label, StringComparison.Ordinal))
            .ToList();
        Assert.True(matches.Count == 1, $"expected one sample of {metric} with {label}, found {matches.Count} in:\n{exposition}");
        return double.Parse(Regex.Match(matches[0], @"\s(\S+)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
