using System.Net;
using Predictions.Harness;
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
        await Eventually.HoldsAsync(
            async () => (await probes.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            () => "worker not ready");
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

        await Eventually.HoldsAsync(
            async () => (await probes.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), () => worker.Output);
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
        foreach (var stage in new[] { "broker_wait", "metadata", "pool_wait", "batch_wait", "inference" })
        {
            Assert.Equal(1, PrometheusText.Sample(worker, "prediction_stage_duration_seconds_count", $"prediction_stage=\"{stage}\""));
        }

        Assert.Equal(1, PrometheusText.Sample(worker, "prediction_outcomes_total", "prediction_outcome=\"completed\""));
        Assert.Equal(1, PrometheusText.Sample(worker, "prediction_inference_batch_size_count"));
        Assert.Equal(1, PrometheusText.Sample(worker, "prediction_inference_batch_size_sum"));
        Assert.Equal(0, PrometheusText.Sample(worker, "prediction_inference_threads", "state=\"busy\""));
        Assert.True(PrometheusText.Sample(worker, "prediction_inference_threads", "state=\"idle\"") >= 1);
        Assert.Equal(0, PrometheusText.Sample(worker, "prediction_inference_queue_length"));
        Assert.Equal(0, PrometheusText.Sample(worker, "prediction_active"));

        var gateway = await system.Http.GetStringAsync("/metrics");
        Assert.Equal(1, PrometheusText.Sample(gateway, "prediction_submissions_total", "prediction_submission_result=\"accepted\""));
        Assert.True(PrometheusText.Sample(gateway, "http_server_request_duration_seconds_count", "http_route=\"/predictions/\"") >= 1);
    }
}
