using System.Text;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Faults;

/// <summary>
/// A request that crashes the worker process every time it is computed, under load, with the worker
/// restarted each time it dies (as an orchestrator would): it must end in the poison queue after at most
/// 1 + <c>WorkQueue:SuspectDeliveryLimit</c> crashes, duplicates included, while every other request completes exactly once.
/// </summary>
[Collection(FaultBrokerCollection.Name)]
[Trait("Category", "Fault")]
public class PoisonMessageTests(BrokerFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private const double CrashValue = -7;

    /// <summary>
    /// 1 + <c>WorkQueue:SuspectDeliveryLimit</c> (2): once from the work queue, twice from the suspect queue, whatever
    /// copies of it at-least-once delivery made on the way.
    /// </summary>
    private const int MaxCrashes = 3;

    private static readonly IReadOnlyDictionary<string, string> CrashingModel =
        FaultTests.Model
            .Append(new("Model:SimulatedCrashFeatureValue", $"{CrashValue}"))
            .Append(new("Model:AllowFaultInjection", "true"))
            .ToDictionary();

    [Fact]
    public async Task A_poison_request_that_crashes_the_worker_every_time_is_dead_lettered_and_everything_else_completes()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        var worker = await system.StartWorkerAsync(CrashingModel);
        await system.StartGatewayAsync();
        var ledger = await Ledger.OpenAsync(system, recomputations: true);
        await using var load = HttpLoad.Start(system, ledger, maxSubmissions: 500);
        await load.WaitForAcceptedAsync(100, Timeout);

        var poison = (await system.SubmitAsync(itemId: 7, featureValue: CrashValue)).GetProperty("id").GetString()!;
        ledger.RecordPoisoned((long)CrashValue, poison);

        // The orchestrator: each time the worker dies, start another; until the poison is dead-lettered,
        // then until a worker consumes again (the crash that dead-lettered it may have just happened).
        var crashed = new List<ServiceProcess>();
        async Task RestartingCrashedWorkersUntilAsync(Func<Task<bool>> condition, string what) =>
            await Eventually.HoldsAsync(
                async () =>
                {
                    if (worker.HasExited)
                    {
                        crashed.Add(worker);
                        worker = system.StartWorker(CrashingModel);
                    }

                    return await condition();
                },
                Timeout,
                () => $"{what} after {crashed.Count} crashes.\n{system.Describe()}");

        await RestartingCrashedWorkersUntilAsync(
            async () => (await system.Broker.GetQueueAsync(Topology.PoisonQueue))?.Messages > 0, "The poison was not dead-lettered");
        await RestartingCrashedWorkersUntilAsync(
            async () => !worker.HasExited && (await system.Broker.GetQueueAsync(Topology.WorkQueue))?.Consumers > 0, "No worker consumed again");

        await load.WaitForAcceptedAsync(400, Timeout);
        await load.StopAsync();

        // Its client is not left polling for ever: it failed, saying why, and is audited like any other.
        var outcome = await system.WaitForOutcomeAsync(poison, Timeout);
        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        Assert.Contains("crashed the worker", outcome.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", Assert.Single(await system.Audit.WaitForAsync([poison], Timeout)).Outcome);

        await ledger.VerifyAsync(system, Timeout);

        Assert.InRange(crashed.Count, 1, MaxCrashes);
        foreach (var dead in crashed)
        {
            Assert.True(
                dead.ExitCode != 0 && dead.Output.Contains($"Simulated crash: featureValue {CrashValue} ", StringComparison.Ordinal),
                $"A worker died of something other than the poison (exit {dead.ExitCode}):\n{dead.Output}");
        }

        Assert.False(worker.HasExited, $"The last worker exited.\n{system.Describe()}");
        await AssertDeadLetteredWithReasonAsync(system, poison);
    }

    /// <summary>What an operator sees: the request as sent, and why it was set aside.</summary>
    private static async Task AssertDeadLetteredWithReasonAsync(PredictionSystem system, string poison)
    {
        var message = await system.Broker.GetAsync(Topology.PoisonQueue);
        Assert.NotNull(message);
        Assert.Contains(poison, Encoding.UTF8.GetString(message.Body.Span), StringComparison.Ordinal);

        var headers = message.BasicProperties.Headers!;
        Assert.True(headers.ContainsKey(Topology.SuspectHeader), $"No {Topology.SuspectHeader} header: {Describe(headers)}");
        Assert.True(
            headers.TryGetValue(Topology.PoisonedHeader, out var poisoned)
                && Text(poisoned)!.Contains($"in the model each of the {MaxCrashes} times a worker died", StringComparison.Ordinal),
            $"No {Topology.PoisonedHeader} header naming {MaxCrashes} crashes: {Describe(headers)}");
    }

    private static string? Text(object? value) => value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString();

    private static string Describe(IDictionary<string, object?> headers) => string.Join(", ", headers.Select(h => $"{h.Key}={Text(h.Value)}"));
}

/// <summary>The same on RabbitMQ 3.x, whose quorum queues count a crashed worker's returns toward their delivery limit.</summary>
[Collection(RabbitMq3Collection.Name)]
[Trait("Category", "Fault")]
public sealed class PoisonMessageTestsOnRabbitMq3(RabbitMq3Fixture fixture) : PoisonMessageTests(fixture);
