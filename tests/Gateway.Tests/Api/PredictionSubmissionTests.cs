using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Predictions.Contracts;
using Predictions.Gateway.Api;
using Predictions.Gateway.Status;

namespace Predictions.Gateway.Tests.Api;

public sealed class PredictionSubmissionTests
{
    private const string Body = """{"itemId": 7, "featureValue": 2.5}""";

    [Fact]
    public async Task A_valid_submission_is_published_once_recorded_queued_and_answered_202_with_where_to_poll()
    {
        await using var host = await SubmissionHost.StartAsync();

        var answer = await host.SubmitAsync(Body);

        Assert.True(answer.Status == StatusCodes.Status202Accepted, answer.ToString());
        Assert.Equal($"/predictions/{answer.Id}", answer.Location);
        Assert.Equal("queued", answer.Body.GetProperty("status").GetString());
        var published = Assert.Single(host.Published);
        Assert.Equal((answer.Id, 7L, 2.5), (published.PredictionId, published.ItemId, published.FeatureValue));
        var record = await host.Store.FindAsync(answer.Id, reader: null, CancellationToken.None);
        Assert.Equal(PredictionStatus.Queued, record?.Status);
        Assert.Equal(published.SubmittedAt, record?.SubmittedAt);
        Assert.Equal(["accepted"], host.Counted);
    }

    [Theory]
    [InlineData("""{"featureValue": 2.5}""", "", null, "itemId")]
    [InlineData("""{"itemId": 7, "featureValue": "2.5"}""", "", null, "featureValue")]
    [InlineData("""{"itemId": 7, "featureValue": 2.5, "predictionId": "0199a0b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b"}""", "", null, "predictionId")]
    [InlineData("""{"itemId": 7, "featureValue": 2.5, "deadline": "2020-01-01T00:00:00Z"}""", "", null, "deadline")]
    [InlineData(Body, "?wait=soon", null, "wait")]
    [InlineData(Body, "?wait=-1", null, "wait")]
    [InlineData(Body, "", "two words", RequestParameters.IdempotencyKeyHeader)]
    [InlineData("""{"itemId": 7}""", "?wait=soon", "two words", "featureValue")]
    [InlineData(Body, "?wait=soon", "two words", "wait")]
    public async Task An_invalid_request_is_400_naming_the_first_field_at_fault_and_publishes_nothing(
        string body, string query, string? key, string field)
    {
        await using var host = await SubmissionHost.StartAsync();

        var answer = await host.SubmitAsync(body, query, key);

        Assert.True(answer.Status == StatusCodes.Status400BadRequest, answer.ToString());
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal([field], answer.FieldsAtFault);
        Assert.Empty(host.Broker.Attempts);
        Assert.Equal(["rejected"], host.Counted);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_and_one_over_the_size_limit_413_and_neither_is_published()
    {
        await using var host = await SubmissionHost.StartAsync(new Dictionary<string, string?> { ["Gateway:MaxRequestBodyBytes"] = "1024" });

        var notJson = await host.SubmitAsync("itemId=7&featureValue=2.5", contentType: "application/x-www-form-urlencoded");
        var tooLarge = await host.SubmitAsync($$"""{"itemId": 7, "featureValue": 2.5, "padding": "{{new string('x', 1024)}}"}""");

        Assert.Equal((StatusCodes.Status415UnsupportedMediaType, "application/problem+json"), (notJson.Status, notJson.ContentType));
        Assert.Equal((StatusCodes.Status413PayloadTooLarge, "application/problem+json"), (tooLarge.Status, tooLarge.ContentType));
        Assert.Empty(host.Broker.Attempts);
        Assert.Equal(["rejected", "rejected"], host.Counted);
    }

    [Fact]
    public async Task A_retry_with_the_same_key_answers_the_first_prediction_and_publishes_nothing_more_whatever_its_deadline()
    {
        await using var host = await SubmissionHost.StartAsync();
        var deadline = DateTimeOffset.UtcNow.AddMinutes(10).ToString("O", CultureInfo.InvariantCulture);

        var first = await host.SubmitAsync(Body, idempotencyKey: "key-1");
        var retry = await host.SubmitAsync($$"""{"itemId": 7, "featureValue": 2.5, "deadline": "{{deadline}}"}""", idempotencyKey: "key-1");

        Assert.True(retry.Status == StatusCodes.Status202Accepted, retry.ToString());
        Assert.Equal(first.Id, retry.Id);
        Assert.Equal(first.Location, retry.Location);
        Assert.Single(host.Published);
        Assert.Equal(["accepted", "replayed"], host.Counted);
    }

    [Fact]
    public async Task The_same_key_with_another_request_is_422_naming_the_first_prediction_and_publishes_nothing_more()
    {
        await using var host = await SubmissionHost.StartAsync();

        var first = await host.SubmitAsync(Body, idempotencyKey: "key-1");
        var other = await host.SubmitAsync("""{"itemId": 7, "featureValue": 3.5}""", idempotencyKey: "key-1");

        Assert.True(other.Status == StatusCodes.Status422UnprocessableEntity, other.ToString());
        Assert.Equal("application/problem+json", other.ContentType);
        Assert.Contains("Idempotency-Key", other.Body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains(first.Id.ToString(), other.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Single(host.Published);
        Assert.Equal(["accepted", "rejected"], host.Counted);
    }

    [Fact]
    public async Task Keys_belong_to_the_api_key_so_two_clients_with_the_same_key_get_a_prediction_each_and_read_only_their_own()
    {
        await using var host = await SubmissionHost.StartAsync();

        var alices = await host.SubmitAsync(Body, idempotencyKey: "key-1", apiKey: "alice");
        var bobs = await host.SubmitAsync(Body, idempotencyKey: "key-1", apiKey: "bob");

        Assert.NotEqual(alices.Id, bobs.Id);
        Assert.Equal(2, host.Published.Count);
        Assert.NotNull(await host.Store.FindAsync(alices.Id, reader: "alice", CancellationToken.None));
        Assert.Null(await host.Store.FindAsync(alices.Id, reader: "bob", CancellationToken.None));
    }

    [Fact]
    public async Task A_key_whose_first_request_still_waits_for_the_broker_is_409_and_after_its_503_a_retry_publishes_the_same_prediction()
    {
        await using var host = await SubmissionHost.StartAsync(new Dictionary<string, string?> { ["Gateway:PublishTimeout"] = "00:00:01" });
        host.Broker.Answers = ScriptedBroker.Reply.Withhold;

        var first = host.SubmitAsync(Body, idempotencyKey: "key-1");
        var attempted = await host.Broker.FirstAttempt.WaitAsync(TimeSpan.FromSeconds(10));
        var concurrent = await host.SubmitAsync(Body, idempotencyKey: "key-1");
        var unconfirmed = await first;
        host.Broker.Answers = ScriptedBroker.Reply.Confirm;
        var retry = await host.SubmitAsync(Body, idempotencyKey: "key-1");

        Assert.True(concurrent.Status == StatusCodes.Status409Conflict, concurrent.ToString());
        Assert.Equal("1", concurrent.RetryAfter);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, unconfirmed.Status);
        Assert.True(retry.Status == StatusCodes.Status202Accepted, retry.ToString());
        Assert.Equal(attempted, retry.Id);
        Assert.Equal(attempted, Assert.Single(host.Published).PredictionId);
    }

    [Theory]
    [InlineData(ScriptedBroker.Reply.Confirm)]
    [InlineData(ScriptedBroker.Reply.Withhold)]
    public async Task A_client_that_leaves_while_its_request_waits_for_the_broker_leaves_no_key_locked_and_its_retry_gets_the_same_prediction(
        ScriptedBroker.Reply outcome)
    {
        // A memory alarm or a leader election holds the confirm; the client gives up and disconnects meanwhile.
        await using var host = await SubmissionHost.StartAsync(new Dictionary<string, string?> { ["Gateway:PublishTimeout"] = "00:00:01" });
        host.Broker.Answers = ScriptedBroker.Reply.Hold;
        using var client = new CancellationTokenSource();

        var first = host.SubmitAsync(Body, idempotencyKey: "key-1", aborted: client.Token);
        var attempted = await host.Broker.FirstAttempt.WaitAsync(TimeSpan.FromSeconds(10));
        await client.CancelAsync();
        host.Broker.Release(outcome);
        host.Broker.Answers = ScriptedBroker.Reply.Confirm;

        // Nobody hears the first answer; whatever it was, the key must be resolved by the time it is given.
        var unheard = await Record.ExceptionAsync(() => first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(unheard is null or OperationCanceledException, unheard?.ToString());
        var retry = await host.SubmitAsync(Body, idempotencyKey: "key-1");

        Assert.True(retry.Status == StatusCodes.Status202Accepted, retry.ToString());
        Assert.Equal(attempted, retry.Id);
        Assert.Equal(attempted, Assert.Single(host.Published).PredictionId);

        // Confirmed: the retry is a replay of the first. Withheld until the publish gave up: the retry published it.
        Assert.Equal(outcome == ScriptedBroker.Reply.Confirm ? ["accepted", "replayed"] : ["unavailable", "accepted"], host.Counted);
    }

    [Fact]
    public async Task A_client_that_leaves_while_its_key_waits_for_the_store_still_has_its_request_claimed_and_published()
    {
        await using var host = await SubmissionHost.StartAsync(new Dictionary<string, string?> { ["Gateway:StoreTimeout"] = "00:00:05" });
        using var client = new CancellationTokenSource();
        var bodyRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Another process holds the store's lock while the claim waits for it; the client gives up and leaves meanwhile.
        Task<Answer> first;
        await using (await LockAsync(host.ResultsDatabase))
        {
            first = host.SubmitAsync(Body, idempotencyKey: "key-1", aborted: client.Token, bodyRead: bodyRead);
            await bodyRead.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await client.CancelAsync();
        }

        var unheard = await Record.ExceptionAsync(() => first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(unheard is null or OperationCanceledException, unheard?.ToString());
        var published = Assert.Single(host.Published);
        var retry = await host.SubmitAsync(Body, idempotencyKey: "key-1");

        Assert.True(retry.Status == StatusCodes.Status202Accepted, retry.ToString());
        Assert.Equal(published.PredictionId, retry.Id);
        Assert.Equal(["accepted", "replayed"], host.Counted);
    }

    [Fact]
    public async Task A_key_the_store_cannot_release_after_an_unconfirmed_publish_is_503_never_500()
    {
        await using var host = await SubmissionHost.StartAsync(new Dictionary<string, string?> { ["Gateway:PublishTimeout"] = "00:00:00.5" });
        host.Broker.Answers = ScriptedBroker.Reply.Fail;

        // The claim inserts the key; releasing it is an update, which the store now refuses.
        await ExecuteAsync(
            host.ResultsDatabase,
            "CREATE TRIGGER injected_failure BEFORE UPDATE ON owned_idempotency_keys BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
        var answer = await host.SubmitAsync(Body, idempotencyKey: "key-1");

        Assert.True(answer.Status == StatusCodes.Status503ServiceUnavailable, answer.ToString());
        Assert.Equal("The message broker is unavailable", answer.Body.GetProperty("title").GetString());
        Assert.Empty(host.Published);
        Assert.Equal(["unavailable"], host.Counted);
    }

    [Fact]
    public async Task A_key_release_that_waits_on_a_locked_store_is_given_up_within_the_store_timeout_and_answered_503()
    {
        await using var host = await SubmissionHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:PublishTimeout"] = "00:00:05",
            ["Gateway:StoreTimeout"] = "00:00:00.5",
        });
        host.Broker.Answers = ScriptedBroker.Reply.Hold;

        // Claimed; then, while the broker still holds the publish, another process locks the store, and the publish fails.
        var submission = host.SubmitAsync(Body, idempotencyKey: "key-1");
        await host.Broker.FirstAttempt.WaitAsync(TimeSpan.FromSeconds(10));
        Answer answer;
        await using (await LockAsync(host.ResultsDatabase))
        {
            var failed = System.Diagnostics.Stopwatch.StartNew();
            host.Broker.Release(ScriptedBroker.Reply.Fail);
            answer = await submission.WaitAsync(TimeSpan.FromSeconds(20));

            // SQLite's own busy timeout is 30 s: the release gave up at Gateway:StoreTimeout instead.
            Assert.True(failed.Elapsed < TimeSpan.FromSeconds(5), $"answered after {failed.Elapsed}");
        }

        Assert.True(answer.Status == StatusCodes.Status503ServiceUnavailable, answer.ToString());
        Assert.Equal("The message broker is unavailable", answer.Body.GetProperty("title").GetString());
        Assert.Equal(["unavailable"], host.Counted);
    }

    [Fact]
    public async Task A_request_the_broker_refuses_is_429_priced_by_the_drain_rate_leaves_no_record_and_frees_its_key()
    {
        await using var host = await SubmissionHost.StartAsync();
        host.Drain.Record(10);
        host.Broker.Answers = ScriptedBroker.Reply.Refuse;
        host.Broker.Depth = SubmissionHost.WorkQueueMaxLength;

        var refused = await host.SubmitAsync(Body, idempotencyKey: "key-1");
        host.Broker.Answers = ScriptedBroker.Reply.Confirm;
        var retry = await host.SubmitAsync(Body, idempotencyKey: "key-1");

        Assert.True(refused.Status == StatusCodes.Status429TooManyRequests, refused.ToString());
        Assert.Equal(ProblemTypes.WorkQueueFull, refused.Body.GetProperty("type").GetString());
        Assert.Equal(host.Drain.RetryAfterSeconds(SubmissionHost.WorkQueueMaxLength).ToString(CultureInfo.InvariantCulture), refused.RetryAfter);
        var attempted = host.Broker.Attempts.First();
        Assert.Equal((StatusCodes.Status202Accepted, attempted), (retry.Status, retry.Id));
        Assert.Equal(attempted, Assert.Single(host.Published).PredictionId);
        Assert.Equal(["throttled", "accepted"], host.Counted);

        // A full queue refuses every channel alike: the channel stays.
        Assert.Equal(0, host.Broker.Distrusted);
    }

    [Theory]
    [InlineData(3L)]
    [InlineData(null)]
    public async Task A_request_the_broker_refuses_while_the_work_queue_is_not_full_is_503_broker_unavailable_and_its_channel_is_replaced(
        long? depth)
    {
        // A quorum queue between leaders refuses publishes as a full one does; only the depth tells them apart.
        await using var host = await SubmissionHost.StartAsync();
        host.Broker.Answers = ScriptedBroker.Reply.Refuse;
        host.Broker.Depth = depth;

        var answer = await host.SubmitAsync(Body, idempotencyKey: "key-1");

        Assert.True(answer.Status == StatusCodes.Status503ServiceUnavailable, answer.ToString());
        Assert.Equal("The message broker is unavailable", answer.Body.GetProperty("title").GetString());
        Assert.Equal(ProblemTypes.BrokerRefused, answer.Body.GetProperty("type").GetString());
        Assert.Contains("not stored", answer.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotNull(answer.RetryAfter);
        Assert.Empty(host.Published);
        Assert.Equal(["unavailable"], host.Counted);

        // On RabbitMQ 3.10 such a channel may be refused for good: the next requests go on another.
        Assert.Equal(1, host.Broker.Distrusted);
    }

    [Fact]
    public async Task A_request_to_a_gateway_the_broker_refuses_is_503_publisher_refused_quoting_the_broker_and_frees_its_key()
    {
        await using var host = await SubmissionHost.StartAsync();
        host.Broker.Answers = ScriptedBroker.Reply.RefuseGateway;

        var refused = await host.SubmitAsync(Body, idempotencyKey: "key-1");
        host.Broker.Answers = ScriptedBroker.Reply.Confirm;
        var retry = await host.SubmitAsync(Body, idempotencyKey: "key-1");

        Assert.True(refused.Status == StatusCodes.Status503ServiceUnavailable, refused.ToString());
        Assert.Equal(ProblemTypes.PublisherRefused, refused.Body.GetProperty("type").GetString());
        var detail = refused.Body.GetProperty("detail").GetString();
        Assert.Contains("not stored", detail, StringComparison.Ordinal);
        Assert.EndsWith(ScriptedBroker.GatewayRefusal.ReplyText, detail, StringComparison.Ordinal);
        Assert.Equal("10", refused.RetryAfter);
        Assert.Equal(0, host.Broker.Distrusted);
        Assert.Equal((StatusCodes.Status202Accepted, host.Broker.Attempts.First()), (retry.Status, retry.Id));
        Assert.Equal(["unavailable", "accepted"], host.Counted);
    }

    [Theory]
    [InlineData(ScriptedBroker.Reply.Fail)]
    [InlineData(ScriptedBroker.Reply.Withhold)]
    public async Task A_request_the_broker_does_not_confirm_is_503_with_retry_after_and_leaves_no_queued_record(ScriptedBroker.Reply reply)
    {
        await using var host = await SubmissionHost.StartAsync(new Dictionary<string, string?> { ["Gateway:PublishTimeout"] = "00:00:00.5" });
        host.Broker.Answers = reply;

        var answer = await host.SubmitAsync(Body);

        Assert.True(answer.Status == StatusCodes.Status503ServiceUnavailable, answer.ToString());
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal("The message broker is unavailable", answer.Body.GetProperty("title").GetString());
        Assert.Equal("5", answer.RetryAfter);
        Assert.Null(await host.Store.FindAsync(Assert.Single(host.Broker.Attempts), reader: null, CancellationToken.None));
        Assert.Empty(host.Published);
        Assert.Equal(["unavailable"], host.Counted);
    }

    [Fact]
    public async Task A_key_the_store_cannot_claim_is_503_store_unavailable_and_publishes_nothing_so_the_same_key_may_be_sent_again()
    {
        await using var host = await SubmissionHost.StartAsync(new Dictionary<string, string?> { ["Gateway:StoreTimeout"] = "00:00:00.2" });

        Answer refused;
        await using (await LockAsync(host.ResultsDatabase))
        {
            refused = await host.SubmitAsync(Body, idempotencyKey: "key-1");
        }

        var retry = await host.SubmitAsync(Body, idempotencyKey: "key-1");

        Assert.True(refused.Status == StatusCodes.Status503ServiceUnavailable, refused.ToString());
        Assert.Equal(ProblemTypes.StoreUnavailable, refused.Body.GetProperty("type").GetString());
        Assert.Equal("5", refused.RetryAfter);
        Assert.Equal(StatusCodes.Status202Accepted, retry.Status);
        Assert.Equal(retry.Id, Assert.Single(host.Broker.Attempts));
        Assert.Equal(["unavailable", "accepted"], host.Counted);
    }

    [Fact]
    public async Task Without_a_key_a_request_the_store_cannot_record_is_still_accepted_once_the_broker_confirmed_it()
    {
        await using var host = await SubmissionHost.StartAsync(new Dictionary<string, string?> { ["Gateway:StoreTimeout"] = "00:00:00.2" });

        Answer answer;
        await using (await LockAsync(host.ResultsDatabase))
        {
            answer = await host.SubmitAsync(Body);
        }

        Assert.True(answer.Status == StatusCodes.Status202Accepted, answer.ToString());
        Assert.Equal($"/predictions/{answer.Id}", answer.Location);
        Assert.Equal(answer.Id, Assert.Single(host.Published).PredictionId);

        // Given up within Gateway:StoreTimeout, never written later: its outcome will record it.
        Assert.Null(await host.Store.FindAsync(answer.Id, reader: null, CancellationToken.None));
    }

    [Fact]
    public async Task Only_a_client_that_waits_hears_200_for_a_finished_prediction_the_others_hear_202_with_it()
    {
        await using var host = await SubmissionHost.StartAsync();
        var first = await host.SubmitAsync(Body, idempotencyKey: "key-1");
        await host.Store.AddOutcomesAsync([Completed(first.Id, prediction: 5)], CancellationToken.None);

        var waited = await host.SubmitAsync(Body, "?wait=5", idempotencyKey: "key-1");
        var notWaited = await host.SubmitAsync(Body, "?wait=0", idempotencyKey: "key-1");

        Assert.True(waited.Status == StatusCodes.Status200OK, waited.ToString());
        Assert.Null(waited.Location);
        Assert.Equal(("completed", 5.0), (waited.Body.GetProperty("status").GetString(), waited.Body.GetProperty("prediction").GetDouble()));
        Assert.Equal((StatusCodes.Status202Accepted, $"/predictions/{first.Id}"), (notWaited.Status, notWaited.Location));
        Assert.Equal("completed", notWaited.Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_prediction_still_queued_when_the_wait_ends_is_answered_202()
    {
        await using var host = await SubmissionHost.StartAsync();

        var answer = await host.SubmitAsync(Body, "?wait=0.2");

        Assert.True(answer.Status == StatusCodes.Status202Accepted, answer.ToString());
        Assert.Equal("queued", answer.Body.GetProperty("status").GetString());
    }

    private static async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Another process holding the results file's write lock, until disposed.</summary>
    private static async Task<SqliteConnection> LockAsync(string path)
    {
        var holder = new SqliteConnection($"Data Source={path};Pooling=False");
        await holder.OpenAsync();
        await using var exclusive = holder.CreateCommand();
        exclusive.CommandText = "BEGIN EXCLUSIVE";
        await exclusive.ExecuteNonQueryAsync();
        return holder;
    }

    private static PredictionCompleted Completed(Guid id, double prediction) => new()
    {
        PredictionId = id,
        ItemId = 7,
        FeatureValue = 2.5,
        Metadata = new Dictionary<string, double>(),
        Prediction = prediction,
        SubmittedAt = DateTimeOffset.UtcNow,
        CompletedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Timings = new PredictionTimings { ReceivedAt = DateTimeOffset.UtcNow },
    };
}
