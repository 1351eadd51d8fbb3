using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Predictions.Contracts;
using Predictions.Gateway.Status;
using Predictions.Gateway.Telemetry;
using Predictions.Storage.Hosting;
using Predictions.Storage.Sqlite;

namespace Predictions.Gateway.Tests.Status;

/// <summary>
/// A long poll across an outage of the results store: a store it cannot read (a folder where its file was)
/// is waited out for as long as the client asked to wait; only a wait that ends with the store still down fails.
/// </summary>
public sealed class LongPollTests : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("long-poll-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly SqliteDatabase _database;
    private readonly PredictionStatusStore _store;
    private readonly PredictionWaiters _waiters = new();
    private readonly LongPoll _longPoll;

    public LongPollTests()
    {
        // Without pooling each read opens the file anew, so it meets the file's absence at once.
        _database = new SqliteDatabase($"Data Source={ResultsFile};Pooling=False", [PredictionStatusSchema.Store]);
        _store = new PredictionStatusStore(_database);
        var options = Options.Create(new LongPollOptions { LongPollRecheck = TimeSpan.FromMilliseconds(50) });
        _longPoll = new LongPoll(_store, _waiters, new GatewayMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System, options);
    }

    private string ResultsFile => Path.Combine(_folder, "results.db");

    [Fact]
    public async Task A_long_poll_waits_out_a_store_it_cannot_read_and_answers_once_the_outcome_is_stored()
    {
        var request = await QueuedAsync();
        var aside = TakeStoreAway();

        var poll = _longPoll.WaitForOutcomeAsync(request.PredictionId, reader: null, TimeSpan.FromMinutes(1), CancellationToken.None);

        Directory.Delete(ResultsFile);
        File.Move(aside, ResultsFile);
        _waiters.Notify(await _store.AddOutcomesAsync([Completed(request)], CancellationToken.None));
        var record = await poll.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(PredictionStatus.Completed, record?.Status);
    }

    [Fact]
    public async Task A_long_poll_whose_wait_ends_while_the_store_is_down_fails_with_the_stores_error()
    {
        var request = await QueuedAsync();
        TakeStoreAway();

        var failure = await Assert.ThrowsAsync<SqliteException>(
            () => _longPoll.WaitForOutcomeAsync(request.PredictionId, reader: null, TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.True(StoreOutages.IsStoreUnavailable(failure), failure.Message);
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        await _services.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<PredictionRequest> QueuedAsync()
    {
        var request = new PredictionRequest { PredictionId = Guid.NewGuid(), ItemId = 3, FeatureValue = 4, SubmittedAt = DateTimeOffset.UtcNow };
        await _store.AddQueuedAsync([request], owner: null, CancellationToken.None);
        return request;
    }

    /// <summary>A folder where the file was, as when its volume is gone; returns where the file went.</summary>
    private string TakeStoreAway()
    {
        var aside = ResultsFile + ".aside";
        File.Move(ResultsFile, aside);
        Directory.CreateDirectory(ResultsFile);
        return aside;
    }

    private static PredictionCompleted Completed(PredictionRequest request) => new()
    {
        PredictionId = request.PredictionId,
        ItemId = request.ItemId,
        FeatureValue = request.FeatureValue,
        SubmittedAt = request.SubmittedAt,
        Prediction = 8,
        Metadata = new Dictionary<string, double>(),
        CompletedAt = DateTimeOffset.UtcNow,
        Worker = "worker",
        Timings = new PredictionTimings { ReceivedAt = DateTimeOffset.UtcNow },
    };
}
