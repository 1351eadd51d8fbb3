using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Gateway.Status;
using Predictions.Harness;
using Predictions.ServiceDefaults.Resilience;
using Predictions.Storage;
using Predictions.Storage.Postgres;
using Predictions.Storage.Sqlite;

namespace Predictions.Gateway.Tests.Status;

/// <summary>
/// Two gateways on one PostgreSQL database: an outcome one of them stores wakes the other's long polls, by
/// notification rather than by looking again. Here a waiter is only ever woken by <see cref="OutcomeListener"/>.
/// </summary>
public sealed class OutcomeListenerTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly IOptionsMonitor<RetryPolicy> Reconnects = BoundRetryPolicies.Of(RetryPolicies.OutcomeListening);
    private readonly List<IAsyncDisposable> _resources = [];
    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresLocator.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var resource in Enumerable.Reverse(_resources))
        {
            await resource.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task An_outcome_another_gateway_stores_wakes_a_long_poll_here_with_that_outcome()
    {
        var (storeA, _) = Gateway();
        var (storeB, databaseB) = Gateway();
        var waitersB = new PredictionWaiters();
        var logger = new FakeLogger<OutcomeListener>();
        await StartAsync(new OutcomeListener(databaseB, storeB, waitersB, Reconnects, logger));
        await UntilAsync(() => logger.Collector.GetSnapshot().Any(entry => entry.Message.StartsWith("Listening", StringComparison.Ordinal)));

        var request = Request();
        await storeA.AddQueuedAsync([request], owner: null, CancellationToken.None);
        using var waiting = waitersB.Register(request.PredictionId);
        await storeA.AddOutcomesAsync([Completed(request)], CancellationToken.None);

        var outcome = await waiting.WaitAsync(Deadline, CancellationToken.None);
        Assert.True(
            outcome is not null, "No wake-up. The listener logged:\n" + string.Join("\n", logger.Collector.GetSnapshot().Select(e => e.Message)));
        Assert.Equal(PredictionStatus.Completed, outcome.Status);
        Assert.Equal(7, outcome.Prediction);
    }

    [Fact]
    public async Task An_outcome_stored_before_the_gateway_listened_still_wakes_its_waiters_once_it_does()
    {
        var (storeA, _) = Gateway();
        var (storeB, databaseB) = Gateway();
        var waitersB = new PredictionWaiters();
        var stored = Request();
        var unfinished = Request();
        await storeA.AddQueuedAsync([stored, unfinished], owner: null, CancellationToken.None);
        using var waitingForStored = waitersB.Register(stored.PredictionId);
        using var waitingForUnfinished = waitersB.Register(unfinished.PredictionId);
        await storeA.AddOutcomesAsync([Completed(stored)], CancellationToken.None);

        await StartAsync(new OutcomeListener(databaseB, storeB, waitersB, Reconnects, new FakeLogger<OutcomeListener>()));

        Assert.Equal(PredictionStatus.Completed, (await waitingForStored.WaitAsync(Deadline, CancellationToken.None))?.Status);
        Assert.Equal([unfinished.PredictionId], waitersB.Waiting());
    }

    [Fact]
    public async Task On_sqlite_there_is_nothing_to_listen_to_and_the_listener_ends_at_once()
    {
        var folder = Directory.CreateTempSubdirectory("outcome-listener-");
        var database = new SqliteDatabase($"Data Source={Path.Combine(folder.FullName, "results.db")}", [PredictionStatusSchema.Store]);
        _resources.Add(database);
        using var listener = new OutcomeListener(
            database, new PredictionStatusStore(database), new PredictionWaiters(), Reconnects, new FakeLogger<OutcomeListener>());

        await listener.StartAsync(CancellationToken.None);

        await listener.ExecuteTask!.WaitAsync(Deadline);
        Assert.True(listener.ExecuteTask.IsCompletedSuccessfully);
    }

    private (PredictionStatusStore Store, StoreDatabase Database) Gateway()
    {
        var database = new PostgresDatabase(_database.ConnectionString, [PredictionStatusSchema.Store]);
        _resources.Add(database);
        return (new PredictionStatusStore(database), database);
    }

    private async Task StartAsync(OutcomeListener listener)
    {
        await listener.StartAsync(CancellationToken.None);
        _resources.Add(new Stopping(listener));
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private static PredictionRequest Request() => new()
    {
        PredictionId = Guid.NewGuid(),
        ItemId = 3,
        FeatureValue = 5,
        SubmittedAt = DateTimeOffset.UtcNow,
    };

    private static PredictionCompleted Completed(PredictionRequest request) => new()
    {
        PredictionId = request.PredictionId,
        ItemId = request.ItemId,
        FeatureValue = request.FeatureValue,
        Metadata = new Dictionary<string, double> { ["price"] = 2.5 },
        Prediction = 7,
        SubmittedAt = request.SubmittedAt,
        CompletedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Timings = new PredictionTimings { ReceivedAt = DateTimeOffset.UtcNow },
    };

    private sealed class Stopping(OutcomeListener listener) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await listener.StopAsync(CancellationToken.None);
            listener.Dispose();
        }
    }
}
