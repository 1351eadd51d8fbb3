using System.Globalization;
using Dapper;
using Predictions.Contracts;
using Predictions.Gateway.Status;
using Predictions.Messaging.Outcomes;
using Predictions.Storage;
using Predictions.Tests.Shared;

namespace Predictions.Gateway.Tests.Status;

/// <summary>The status store's behaviour, run once per provider by the derived classes.</summary>
public abstract class PredictionStatusStoreTests : IAsyncLifetime
{
    private readonly List<StoreDatabase> _databases = [];
    private PredictionStatusStore _store = null!;

    /// <summary>A new <see cref="StoreDatabase"/> on this test's database: each call is another host on the same data.</summary>
    protected abstract Task<StoreDatabase> OpenDatabaseAsync();

    public async Task InitializeAsync() => _store = await OpenStoreAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }

    protected async Task<PredictionStatusStore> OpenStoreAsync()
    {
        var database = await OpenDatabaseAsync();
        _databases.Add(database);
        return new PredictionStatusStore(database);
    }

    [Fact]
    public async Task A_queued_prediction_moves_to_completed_with_its_result()
    {
        var request = Request();
        await _store.AddQueuedAsync([request], owner: null, CancellationToken.None);
        var queued = await _store.FindAsync(request.PredictionId, reader: null, CancellationToken.None);
        Assert.Equal(PredictionStatus.Queued, queued?.Status);
        Assert.Null(queued?.Route);

        await _store.AddOutcomesAsync([Completed(request, prediction: 10) with { Route = "canary" }], CancellationToken.None);

        var record = await _store.FindAsync(request.PredictionId, reader: null, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(PredictionStatus.Completed, record.Status);
        Assert.Equal(10, record.Prediction);
        Assert.Equal(2.5, record.Metadata!["price"]);
        Assert.Equal(request.SubmittedAt, record.SubmittedAt);
        Assert.NotNull(record.CompletedAt);
        Assert.Equal(new ModelIdentity { Name = "item-scorer", Version = "3" }, record.Model);
        Assert.Equal("canary", record.Route);
    }

    [Fact]
    public async Task A_completion_is_not_overwritten_by_a_duplicate_a_later_completion_or_a_failure()
    {
        var request = Request();
        await _store.AddQueuedAsync([request], owner: null, CancellationToken.None);
        await _store.AddOutcomesAsync([Completed(request, prediction: 10) with { Route = "alias" }], CancellationToken.None);

        await _store.AddOutcomesAsync([Completed(request, prediction: 99) with { Route = "canary" }], CancellationToken.None);
        await _store.AddOutcomesAsync([Failed(request) with { Route = "latest" }], CancellationToken.None);
        await _store.AddQueuedAsync([request], owner: null, CancellationToken.None);

        var record = await _store.FindAsync(request.PredictionId, reader: null, CancellationToken.None);
        Assert.Equal(PredictionStatus.Completed, record?.Status);
        Assert.Equal(10, record?.Prediction);
        Assert.Null(record?.Error);
        Assert.Equal("alias", record?.Route);
    }

    [Fact]
    public async Task A_result_that_arrives_before_the_queued_row_is_kept()
    {
        var request = Request();

        await _store.AddOutcomesAsync([Failed(request)], CancellationToken.None);
        await _store.AddQueuedAsync([request], owner: null, CancellationToken.None);

        var record = await _store.FindAsync(request.PredictionId, reader: null, CancellationToken.None);
        Assert.Equal(PredictionStatus.Failed, record?.Status);
        Assert.Equal("unknown item 3", record?.Error);
    }

    [Fact]
    public async Task One_batch_of_mixed_outcomes_gives_each_its_status_and_returns_only_the_predictions_it_changed()
    {
        var (completed, failed, expired) = (Request(), Request(), Request() with { SubmittedAt = null });
        var deadline = new DateTimeOffset(2026, 1, 2, 3, 4, 6, TimeSpan.Zero);
        var expiredAt = deadline.AddMilliseconds(250);
        await _store.AddOutcomesAsync([Failed(failed)], CancellationToken.None);

        var changed = await _store.AddOutcomesAsync(
            [
                Completed(completed, prediction: 10),
                Failed(failed),
                new PredictionExpired
                {
                    PredictionId = expired.PredictionId,
                    ItemId = expired.ItemId,
                    FeatureValue = expired.FeatureValue,
                    Deadline = deadline,
                    ExpiredAt = expiredAt,
                    Worker = "w",
                    Timings = new PredictionTimings { ReceivedAt = expiredAt },
                },
            ],
            CancellationToken.None);

        Assert.Equal([completed.PredictionId, expired.PredictionId], changed.Select(r => r.Id));
        Assert.Equal([PredictionStatus.Completed, PredictionStatus.Expired], changed.Select(r => r.Status));
        var record = await _store.FindAsync(expired.PredictionId, reader: null, CancellationToken.None);
        Assert.Equal(PredictionStatus.Expired, record?.Status);
        Assert.Equal(ExpiryReason.For(deadline), record?.Error);
        Assert.Equal(expiredAt, record?.CompletedAt);
        Assert.Null(record?.SubmittedAt);
        Assert.Null(record?.Prediction);
        Assert.Null(record?.Model);
        Assert.Null(record?.Route);
        Assert.Equal(PredictionStatus.Failed, (await _store.FindAsync(failed.PredictionId, reader: null, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task An_unknown_id_is_not_found()
    {
        Assert.Null(await _store.FindAsync(Guid.NewGuid(), reader: null, CancellationToken.None));
    }

    [Fact]
    public async Task An_owned_prediction_is_found_only_by_its_owner_or_with_keys_off()
    {
        var request = Request();
        await _store.AddQueuedAsync([request], owner: "alice", CancellationToken.None);

        Assert.NotNull(await _store.FindAsync(request.PredictionId, reader: "alice", CancellationToken.None));
        Assert.Null(await _store.FindAsync(request.PredictionId, reader: "bob", CancellationToken.None));
        Assert.NotNull(await _store.FindAsync(request.PredictionId, reader: null, CancellationToken.None));
    }

    [Fact]
    public async Task A_prediction_without_an_owner_is_found_by_every_reader()
    {
        var request = Request();
        await _store.AddQueuedAsync([request], owner: null, CancellationToken.None);

        Assert.NotNull(await _store.FindAsync(request.PredictionId, reader: "alice", CancellationToken.None));
        Assert.NotNull(await _store.FindAsync(request.PredictionId, reader: "bob", CancellationToken.None));
    }

    [Fact]
    public async Task The_owner_holds_when_the_outcome_arrives_first_and_never_changes_hands()
    {
        var request = Request();
        await _store.AddOutcomesAsync([Completed(request, prediction: 10)], CancellationToken.None);
        await _store.AddQueuedAsync([request], owner: "alice", CancellationToken.None);
        await _store.AddQueuedAsync([request], owner: "bob", CancellationToken.None);

        Assert.Equal(10, (await _store.FindAsync(request.PredictionId, reader: "alice", CancellationToken.None))?.Prediction);
        Assert.Null(await _store.FindAsync(request.PredictionId, reader: "bob", CancellationToken.None));
    }

    [Fact]
    public async Task Two_hosts_storing_conflicting_outcomes_of_the_same_predictions_at_once_keep_the_earlier_of_each()
    {
        var other = await OpenStoreAsync();
        var requests = Enumerable.Range(0, 50).Select(_ => Request()).ToList();
        var earlier = DateTimeOffset.UtcNow;

        var changed = await Task.WhenAll(
            Task.Run(() => _store.AddOutcomesAsync(
                [.. requests.Select(r => Completed(r, prediction: 1) with { CompletedAt = earlier.AddSeconds(1) })], CancellationToken.None)),
            Task.Run(() => other.AddOutcomesAsync(
                [.. requests.Select(r => Completed(r, prediction: 2) with { CompletedAt = earlier })], CancellationToken.None)));

        // The earlier completion changed each prediction, first or over the later one, and is what it holds.
        Assert.Equal(requests.Select(r => r.PredictionId).Order(), changed[1].Select(r => r.Id).Order());
        foreach (var request in requests)
        {
            var record = await other.FindAsync(request.PredictionId, reader: null, CancellationToken.None);
            Assert.Equal(2, record?.Prediction);
        }
    }

    [Fact]
    public async Task Conflicting_outcomes_arriving_one_at_a_time_in_every_order_leave_the_one_the_precedence_rule_prefers()
    {
        var steps = ConflictingOutcomes.InEveryOrder();
        await _store.AddQueuedAsync(steps[0].Select(AsRequest), owner: null, CancellationToken.None);
        var arrived = steps[0].ToDictionary(o => o.PredictionId, _ => new List<PredictionOutcome>());

        foreach (var step in steps)
        {
            var before = arrived.ToDictionary(pair => pair.Key, pair => pair.Value.Count == 0 ? null : ConflictingOutcomes.Expected(pair.Value));
            var changed = await _store.AddOutcomesAsync(step, CancellationToken.None);
            foreach (var outcome in step)
            {
                arrived[outcome.PredictionId].Add(outcome);
            }

            // A prediction changed when the outcome it holds did, and the change reports what it now holds.
            var expected = step
                .Where(o => before[o.PredictionId] != ConflictingOutcomes.Expected(arrived[o.PredictionId]))
                .Select(o => o.PredictionId);
            Assert.Equal(expected.Order(), changed.Select(r => r.Id).Order());
            Assert.All(changed, record => Assert.Equal(Prediction(arrived[record.Id]), record.Prediction));
        }

        await AssertEachHoldsThePreferredOutcomeAsync(arrived);
    }

    [Fact]
    public async Task Conflicting_outcomes_arriving_in_one_batch_in_every_order_leave_the_one_the_precedence_rule_prefers()
    {
        var steps = ConflictingOutcomes.InEveryOrder();
        var batch = steps[0].Select((_, i) => steps.Select(step => step[i])).SelectMany(outcomes => outcomes).ToList();

        var changed = await _store.AddOutcomesAsync(batch, CancellationToken.None);

        var arrived = batch.GroupBy(o => o.PredictionId).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(arrived.Keys.Order(), changed.Select(r => r.Id).Order());
        Assert.All(changed, record => Assert.Equal(Prediction(arrived[record.Id]), record.Prediction));
        await AssertEachHoldsThePreferredOutcomeAsync(arrived);
    }

    [Fact]
    public async Task A_feature_value_keeps_its_double_precision()
    {
        var request = Request() with { FeatureValue = 0.1 + 0.2 };
        await _store.AddQueuedAsync([request], owner: null, CancellationToken.None);

        Assert.Equal(0.1 + 0.2, (await _store.FindAsync(request.PredictionId, reader: null, CancellationToken.None))?.FeatureValue);
    }

    private async Task AssertEachHoldsThePreferredOutcomeAsync(Dictionary<Guid, List<PredictionOutcome>> arrived)
    {
        await using var connection = await _databases[0].OpenAsync(CancellationToken.None);
        foreach (var (id, outcomes) in arrived)
        {
            var (status, finishedAt, error, worker) = await connection.QuerySingleAsync<(string, string, string?, string)>(
                "SELECT status, completed_at, error, worker FROM predictions WHERE prediction_id = @Id", new { Id = id.ToString() });
            var stored = new OutcomeSummary(status, DateTimeOffset.Parse(finishedAt, CultureInfo.InvariantCulture), error, worker);
            Assert.Equal(ConflictingOutcomes.Expected(outcomes), stored);
            Assert.Equal(Prediction(outcomes), (await _store.FindAsync(id, reader: null, CancellationToken.None))?.Prediction);
        }
    }

    /// <summary>The prediction of the outcome the rule prefers among these; null when it is not a completion.</summary>
    private static double? Prediction(IEnumerable<PredictionOutcome> outcomes)
    {
        var preferred = ConflictingOutcomes.Expected(outcomes);
        return (outcomes.First(o => OutcomeSummary.Of(o) == preferred) as PredictionCompleted)?.Prediction;
    }

    private static PredictionRequest AsRequest(PredictionOutcome outcome) => new()
    {
        PredictionId = outcome.PredictionId,
        ItemId = outcome.ItemId,
        FeatureValue = outcome.FeatureValue,
        SubmittedAt = outcome.SubmittedAt,
    };

    protected static PredictionRequest Request() => new()
    {
        PredictionId = Guid.NewGuid(),
        ItemId = 3,
        FeatureValue = 5,
        SubmittedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
    };

    protected static PredictionCompleted Completed(PredictionRequest request, double prediction) => new()
    {
        PredictionId = request.PredictionId,
        ItemId = request.ItemId,
        FeatureValue = request.FeatureValue,
        Metadata = new Dictionary<string, double> { ["price"] = 2.5 },
        Prediction = prediction,
        SubmittedAt = request.SubmittedAt,
        CompletedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Model = new ModelIdentity { Name = "item-scorer", Version = "3" },
        Timings = new PredictionTimings { ReceivedAt = DateTimeOffset.UtcNow },
    };

    private static PredictionFailed Failed(PredictionRequest request) => new()
    {
        PredictionId = request.PredictionId,
        ItemId = request.ItemId,
        FeatureValue = request.FeatureValue,
        Error = "unknown item 3",
        SubmittedAt = request.SubmittedAt,
        FailedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Timings = new PredictionTimings { ReceivedAt = DateTimeOffset.UtcNow },
    };
}
