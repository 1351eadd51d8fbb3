using System.Text;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Pipeline;

/// <summary>
/// Every request the broker accepted ends with exactly one outcome and one audit row, whatever breaks while it is
/// computed: an answer no outcome can carry, or an exception nobody foresaw.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class EveryRequestEndsTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_prediction_whose_answer_overflows_ends_failed_naming_it_with_one_audit_row_and_nothing_set_aside()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();

        // Valid input: the simulated model doubles it, beyond a double's range.
        var id = (await system.SubmitAsync(itemId: 1, featureValue: 1e308)).GetProperty("id").GetString()!;

        var outcome = await system.WaitForOutcomeAsync(id, Timeout);
        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        Assert.Equal(
            "the model simulated 1 answered Infinity, which is not a finite number, for this input", outcome.GetProperty("error").GetString());
        var row = Assert.Single(await system.Audit.WaitForAsync([id], Timeout));
        Assert.Equal("failed", row.Outcome);
        Assert.NotNull(row.InferenceCompletedAt);
        Assert.Equal(0u, (await system.Broker.GetQueueAsync(Topology.WorkQueue + "_error"))?.Messages ?? 0u);
    }

    [Fact]
    public async Task An_exception_nobody_foresaw_ends_the_prediction_failed_with_one_audit_row_and_one_error_queue_entry_with_the_reason()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(new Dictionary<string, string>(Settings.QuickModel)
        {
            ["Metadata:SimulatedFaultItemId"] = "13",
            ["Model:AllowFaultInjection"] = "true",
        });
        await system.StartGatewayAsync();

        var faulty = (await system.SubmitAsync(itemId: 13, featureValue: 2)).GetProperty("id").GetString()!;
        var other = (await system.SubmitAsync(itemId: 14, featureValue: 2)).GetProperty("id").GetString()!;

        var outcome = await system.WaitForOutcomeAsync(faulty, Timeout);
        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        Assert.Equal(
            "the worker could not compute it (InvalidOperationException: Simulated fault: item 13 is Metadata:SimulatedFaultItemId.); "
            + $"it was set aside in {Topology.WorkQueue}_error for an operator",
            outcome.GetProperty("error").GetString());
        Assert.Equal(4, (await system.WaitForOutcomeAsync(other, Timeout)).GetProperty("prediction").GetDouble());
        Assert.Equal("failed", Assert.Single(await system.Audit.WaitForAsync([faulty], Timeout)).Outcome);

        // The operator's copy: the request as it was sent, and the reason.
        RabbitMQ.Client.BasicGetResult? set = null;
        await Eventually.HoldsAsync(
            async () => (set = await system.Broker.GetAsync(Topology.WorkQueue + "_error")) is not null,
            Timeout,
            () => "nothing reached the error queue");
        Assert.Contains(faulty, Encoding.UTF8.GetString(set!.Body.Span), StringComparison.Ordinal);
        Assert.Equal("Simulated fault: item 13 is Metadata:SimulatedFaultItemId.", Text(set.BasicProperties.Headers!["MT-Fault-Message"]));
        Assert.Null(await system.Broker.GetAsync(Topology.WorkQueue + "_error"));
        Assert.Single(await system.Audit.ReadAsync([faulty]));
    }

    private static string? Text(object? value) => value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString();
}
