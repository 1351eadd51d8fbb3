using System.Globalization;
using Dapper;
using Predictions.Contracts;
using Predictions.Messaging.Outcomes;
using Predictions.Storage;
using Predictions.Tests.Shared;
using Predictions.Worker.Audit;

namespace Predictions.Worker.Tests.Audit;

/// <summary>The audit store's behaviour, run once per provider by the derived classes.</summary>
public abstract class AuditStoreTests : IAsyncLifetime
{
    private readonly List<StoreDatabase> _databases = [];

    /// <summary>A new <see cref="StoreDatabase"/> on this test's database: each call is another host on the same data.</summary>
    protected abstract Task<StoreDatabase> OpenDatabaseAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }

    protected async Task<AuditStore> OpenStoreAsync()
    {
        var database = await OpenDatabaseAsync();
        _databases.Add(database);
        return new AuditStore(database, TimeProvider.System);
    }

    [Fact]
    public async Task Writes_one_row_per_prediction_however_often_its_outcome_arrives()
    {
        var store = await OpenStoreAsync();
        var completed = Completed();

        Assert.Empty(await store.AddAsync([completed], CancellationToken.None));
        Assert.Equal([completed.PredictionId], await store.AddAsync([completed], CancellationToken.None));
        Assert.Equal([completed.PredictionId], await store.AddAsync([Failed(completed.PredictionId)], CancellationToken.None));

        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM prediction_audit"));
        Assert.Equal(1L, await CountAsync(
            $"SELECT count(*) FROM prediction_audit WHERE prediction_id = '{completed.PredictionId}' AND outcome = 'completed' AND prediction = 4"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM prediction_audit WHERE model_name = 'doubling' AND model_version = '1'"));
    }

    [Fact]
    public async Task Writes_a_batch_in_one_go_and_reports_only_the_duplicates()
    {
        var store = await OpenStoreAsync();
        var first = Completed();
        await store.AddAsync([first], CancellationToken.None);

        var duplicates = await store.AddAsync([Completed(), first, Completed(), first], CancellationToken.None);

        Assert.Equal([first.PredictionId, first.PredictionId], duplicates);
        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM prediction_audit"));
    }

    [Fact]
    public async Task Writes_failures_with_their_reason()
    {
        var store = await OpenStoreAsync();
        var failed = Failed(Guid.NewGuid());

        Assert.Empty(await store.AddAsync([failed], CancellationToken.None));

        Assert.Equal(1L, await CountAsync(
            $"SELECT count(*) FROM prediction_audit WHERE outcome = 'failed' AND error = 'unknown item 9' AND prediction IS NULL"));
    }

    [Fact]
    public async Task Writes_expirations_with_the_deadline_that_passed_and_when_the_worker_gave_up()
    {
        var store = await OpenStoreAsync();
        var deadline = new DateTimeOffset(2026, 1, 31, 12, 0, 5, TimeSpan.Zero);
        var expired = new PredictionExpired
        {
            PredictionId = Guid.NewGuid(),
            ItemId = 9,
            FeatureValue = 2,
            Deadline = deadline,
            ExpiredAt = deadline.AddSeconds(1),
            Worker = "w",
            Timings = new PredictionTimings { ReceivedAt = deadline.AddMilliseconds(900) },
        };

        Assert.Empty(await store.AddAsync([expired], CancellationToken.None));

        Assert.Equal(1L, await CountAsync(
            $"SELECT count(*) FROM prediction_audit WHERE outcome = 'expired' AND error = '{ExpiryReason.For(deadline)}' "
            + "AND prediction IS NULL AND metadata IS NULL "
            + "AND finished_at = '2026-01-31T12:00:06.0000000Z' AND received_at = '2026-01-31T12:00:05.9000000Z' AND submitted_at IS NULL"));
    }

    [Fact]
    public async Task Two_hosts_auditing_the_same_outcomes_at_once_write_one_row_per_prediction()
    {
        var (one, other) = (await OpenStoreAsync(), await OpenStoreAsync());
        var outcomes = Enumerable.Range(0, 100).Select(_ => Completed()).ToList();

        var duplicates = await Task.WhenAll(
            Task.Run(() => one.AddAsync(outcomes, CancellationToken.None)),
            Task.Run(() => other.AddAsync(outcomes, CancellationToken.None)));

        // Each prediction was new to exactly one of them.
        Assert.Equal(outcomes.Select(o => o.PredictionId).Order(), duplicates.SelectMany(d => d).Order());
        Assert.Equal(100L, await CountAsync("SELECT count(*) FROM prediction_audit"));
    }

    [Fact]
    public async Task Conflicting_outcomes_arriving_one_at_a_time_in_every_order_leave_one_row_with_the_one_the_precedence_rule_prefers()
    {
        var store = await OpenStoreAsync();
        var steps = ConflictingOutcomes.InEveryOrder();
        var arrived = steps[0].ToDictionary(o => o.PredictionId, _ => new List<PredictionOutcome>());

        foreach (var step in steps)
        {
            var before = arrived.ToDictionary(pair => pair.Key, pair => pair.Value.Count == 0 ? null : ConflictingOutcomes.Expected(pair.Value));
            var unchanged = await store.AddAsync(step, CancellationToken.None);
            foreach (var outcome in step)
            {
                arrived[outcome.PredictionId].Add(outcome);
            }

            // Reported as changing nothing exactly when the row's outcome stayed what it was.
            var expected = step
                .Where(o => before[o.PredictionId] == ConflictingOutcomes.Expected(arrived[o.PredictionId]))
                .Select(o => o.PredictionId);
            Assert.Equal(expected.Order(), unchanged.Order());
        }

        await AssertEachHoldsThePreferredOutcomeAsync(arrived);
    }

    [Fact]
    public async Task Conflicting_outcomes_arriving_in_one_batch_in_every_order_leave_one_row_with_the_one_the_precedence_rule_prefers()
    {
        var store = await OpenStoreAsync();
        var steps = ConflictingOutcomes.InEveryOrder();
        var batch = steps[0].Select((_, i) => steps.Select(step => step[i])).SelectMany(outcomes => outcomes).ToList();

        await store.AddAsync(batch, CancellationToken.None);

        await AssertEachHoldsThePreferredOutcomeAsync(batch.GroupBy(o => o.PredictionId).ToDictionary(g => g.Key, g => g.ToList()));
    }

    [Fact]
    public async Task A_row_replaced_by_an_outcome_that_takes_precedence_is_that_outcome_in_every_column()
    {
        var store = await OpenStoreAsync();
        var failed = Failed(Guid.NewGuid()) with
        {
            Timings = new PredictionTimings { ReceivedAt = DateTimeOffset.UtcNow.AddSeconds(-9) },
            Route = "shadow",
            ShadowOf = Guid.NewGuid(),
        };
        var completed = Completed() with { PredictionId = failed.PredictionId, Worker = "w2", Route = "alias" };
        await store.AddAsync([failed], CancellationToken.None);

        Assert.Empty(await store.AddAsync([completed], CancellationToken.None));

        await using var connection = await _databases[0].OpenAsync(CancellationToken.None);
        var row = await connection.QuerySingleAsync<
            (string Outcome, double? Prediction, string? Error, string Worker, string? Model, string? Route, string? ShadowOf, string ReceivedAt,
                string FinishedAt)>(
            "SELECT outcome, prediction, error, worker, model_name, route, shadow_of, received_at, finished_at FROM prediction_audit");
        Assert.Equal(
            ("completed", 4, null, "w2", "doubling", "alias", null,
                StoredTimestamp.Text(completed.Timings.ReceivedAt), StoredTimestamp.Text(completed.CompletedAt)),
            (row.Outcome, row.Prediction, row.Error, row.Worker, row.Model, row.Route, row.ShadowOf, row.ReceivedAt, row.FinishedAt));
    }

    [Fact]
    public async Task A_shadow_copy_is_a_row_of_its_own_naming_its_route_and_the_prediction_it_copies()
    {
        var store = await OpenStoreAsync();
        var answered = Completed() with { Route = "canary" };
        var shadow = Completed() with { Route = "shadow", ShadowOf = answered.PredictionId, Model = new() { Name = "doubling", Version = "2" } };
        var unrouted = Failed(Guid.NewGuid());

        Assert.Empty(await store.AddAsync([answered, shadow, unrouted], CancellationToken.None));

        await using var connection = await _databases[0].OpenAsync(CancellationToken.None);
        var rows = (await connection.QueryAsync<(string Id, string? Route, string? ShadowOf, string? Version)>(
            "SELECT prediction_id, route, shadow_of, model_version FROM prediction_audit")).ToDictionary(row => row.Id);
        Assert.Equal(3, rows.Count);
        Assert.Equal(("canary", null, "1"), Columns(rows[answered.PredictionId.ToString()]));
        Assert.Equal(("shadow", answered.PredictionId.ToString(), "2"), Columns(rows[shadow.PredictionId.ToString()]));
        Assert.Equal((null, null, null), Columns(rows[unrouted.PredictionId.ToString()]));

        static (string?, string?, string?) Columns((string, string? Route, string? ShadowOf, string? Version) row) =>
            (row.Route, row.ShadowOf, row.Version);
    }

    [Fact]
    public async Task A_feature_value_keeps_its_double_precision()
    {
        var store = await OpenStoreAsync();
        var completed = Completed() with { FeatureValue = 0.1 + 0.2, Prediction = 1.0 / 3 };
        await store.AddAsync([completed], CancellationToken.None);

        await using var connection = await _databases[0].OpenAsync(CancellationToken.None);
        var (feature, prediction) = await connection.QuerySingleAsync<(double, double)>("SELECT feature_value, prediction FROM prediction_audit");
        Assert.Equal((0.1 + 0.2, 1.0 / 3), (feature, prediction));
    }

    private async Task AssertEachHoldsThePreferredOutcomeAsync(Dictionary<Guid, List<PredictionOutcome>> arrived)
    {
        Assert.Equal(arrived.Count, await CountAsync("SELECT count(*) FROM prediction_audit"));
        await using var connection = await _databases[0].OpenAsync(CancellationToken.None);
        foreach (var (id, outcomes) in arrived)
        {
            var (outcome, finishedAt, error, worker, prediction) = await connection.QuerySingleAsync<(string, string, string?, string, double?)>(
                "SELECT outcome, finished_at, error, worker, prediction FROM prediction_audit WHERE prediction_id = @Id",
                new { Id = id.ToString() });
            var preferred = ConflictingOutcomes.Expected(outcomes);
            Assert.Equal(preferred, new OutcomeSummary(outcome, DateTimeOffset.Parse(finishedAt, CultureInfo.InvariantCulture), error, worker));
            Assert.Equal((outcomes.First(o => OutcomeSummary.Of(o) == preferred) as PredictionCompleted)?.Prediction, prediction);
        }
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await _databases[0].OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private static PredictionTimings Timings => new() { ReceivedAt = DateTimeOffset.UtcNow };

    protected static PredictionCompleted Completed() => new()
    {
        PredictionId = Guid.NewGuid(),
        ItemId = 9,
        FeatureValue = 2,
        Metadata = new Dictionary<string, double> { ["price"] = 1 },
        Prediction = 4,
        CompletedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Model = new ModelIdentity { Name = "doubling", Version = "1" },
        Timings = Timings,
    };

    private static PredictionFailed Failed(Guid id) => new()
    {
        PredictionId = id,
        ItemId = 9,
        FeatureValue = 2,
        Error = "unknown item 9",
        FailedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Timings = Timings,
    };
}
