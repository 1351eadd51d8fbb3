using Predictions.Contracts;
using Predictions.Worker.Lanes;
using Predictions.Worker.Pipeline;

namespace Predictions.Worker.Tests.Pipeline;

public sealed class PredictionOutcomesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);
    private static readonly WorkerIdentity Worker = new("host/42");
    private static readonly PredictionTimings Timings = new() { ReceivedAt = Now.AddSeconds(-2), MetadataStartedAt = Now.AddSeconds(-1) };

    private static readonly PredictionRequest Request = new()
    {
        PredictionId = Guid.NewGuid(),
        ItemId = 17,
        FeatureValue = 2.5,
        SubmittedAt = Now.AddSeconds(-3),
        Deadline = Now.AddSeconds(-1),
    };

    [Fact]
    public void Every_outcome_carries_the_request_the_worker_and_the_stages_that_ran()
    {
        var model = new ModelIdentity { Name = "m", Version = "1" };
        PredictionOutcome[] outcomes =
        [
            Request.Completed(Worker, Timings, Now, new Dictionary<string, double>(), 5, model),
            Request.Failed(Worker, Timings, Now, "unknown item 17", model),
            Request.Expired(Worker, Timings, Now, model),
        ];

        Assert.All(outcomes, outcome =>
        {
            Assert.Equal(Request.PredictionId, outcome.PredictionId);
            Assert.Equal(17, outcome.ItemId);
            Assert.Equal(2.5, outcome.FeatureValue);
            Assert.Equal(Request.SubmittedAt, outcome.SubmittedAt);
            Assert.Equal("host/42", outcome.Worker);
            Assert.Same(Timings, outcome.Timings);
            Assert.Equal(model, outcome.Model);
        });
    }

    [Fact]
    public void Each_outcome_carries_its_own_parts()
    {
        var metadata = new Dictionary<string, double> { ["price"] = 3 };
        var model = new ModelIdentity { Name = "m", Version = "1" };

        var completed = Request.Completed(Worker, Timings, Now, metadata, 5, model);
        var failed = Request.Failed(Worker, Timings, Now.AddSeconds(1), "unknown item 17", model: null);
        var expired = Request.Expired(Worker, Timings, Now.AddSeconds(2), model);

        Assert.Equal((metadata, 5.0, model, Now), (completed.Metadata, completed.Prediction, completed.Model, completed.CompletedAt));
        Assert.Equal(("unknown item 17", Now.AddSeconds(1)), (failed.Error, failed.FailedAt));
        Assert.Equal((Request.Deadline!.Value, Now.AddSeconds(2)), (expired.Deadline, expired.ExpiredAt));
    }
}
