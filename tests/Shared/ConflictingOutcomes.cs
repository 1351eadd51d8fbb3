using Predictions.Contracts;
using Predictions.Messaging.Outcomes;

namespace Predictions.Tests.Shared;

/// <summary>
/// Outcomes one prediction can end with when its request is delivered more than once: completed twice at different
/// times, twice at the same moment by two workers, failed (a poison request), expired. Both stores' tests take them
/// from here, in every order of arrival, and hold each store to <see cref="OutcomePrecedence"/>, so the two agree.
/// </summary>
public static class ConflictingOutcomes
{
    private static readonly DateTimeOffset First = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    // Worker names that differ in case: a database sorting by locale orders them otherwise than byte by byte.
    public static IReadOnlyList<PredictionOutcome> For(Guid id) =>
    [
        Completed(id, First.AddSeconds(2), "worker-a", prediction: 1),
        Completed(id, First.AddSeconds(1), "worker-b", prediction: 2),
        Completed(id, First.AddSeconds(1), "Worker-c", prediction: 3),
        Failed(id, First, "worker-a"),
        Expired(id, First.AddSeconds(-1), "worker-b"),
    ];

    /// <summary>Every order of <paramref name="count"/> items, as lists of their indexes.</summary>
    public static IReadOnlyList<int[]> Orders(int count) =>
        count == 0
            ? [[]]
            : [.. Orders(count - 1).SelectMany(order =>
                Enumerable.Range(0, count).Select(at => (int[])[.. order[..at], count - 1, .. order[at..]]))];

    /// <summary>
    /// Each prediction's outcomes in every order, step by step: step k holds the k-th outcome to arrive for each
    /// prediction, whose ids are made anew per order.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<PredictionOutcome>> InEveryOrder()
    {
        var count = For(Guid.Empty).Count;
        var predictions = Orders(count).Select(order => (Outcomes: For(Guid.NewGuid()), Order: order)).ToList();
        return [.. Enumerable.Range(0, count).Select(step =>
            (IReadOnlyList<PredictionOutcome>)[.. predictions.Select(p => p.Outcomes[p.Order[step]])])];
    }

    /// <summary>What a prediction holds once these outcomes of it have arrived, whatever their order: the rule's choice.</summary>
    public static OutcomeSummary Expected(IEnumerable<PredictionOutcome> outcomes) => OutcomePrecedence.Winner(outcomes.Select(OutcomeSummary.Of));

    private static PredictionTimings Timings(DateTimeOffset at) => new() { ReceivedAt = at.AddMilliseconds(-100) };

    private static PredictionCompleted Completed(Guid id, DateTimeOffset at, string worker, double prediction) => new()
    {
        PredictionId = id,
        ItemId = 7,
        FeatureValue = 2,
        SubmittedAt = First.AddSeconds(-10),
        Metadata = new Dictionary<string, double> { ["price"] = 1 },
        Prediction = prediction,
        Model = new ModelIdentity { Name = "doubling", Version = "1" },
        CompletedAt = at,
        Worker = worker,
        Timings = Timings(at),
    };

    private static PredictionFailed Failed(Guid id, DateTimeOffset at, string worker) => new()
    {
        PredictionId = id,
        ItemId = 7,
        FeatureValue = 2,
        SubmittedAt = First.AddSeconds(-10),
        Error = "the request crashed the worker process each time it was computed",
        FailedAt = at,
        Worker = worker,
        Timings = Timings(at),
    };

    private static PredictionExpired Expired(Guid id, DateTimeOffset at, string worker) => new()
    {
        PredictionId = id,
        ItemId = 7,
        FeatureValue = 2,
        SubmittedAt = First.AddSeconds(-10),
        Deadline = at.AddMilliseconds(-1),
        ExpiredAt = at,
        Worker = worker,
        Timings = Timings(at),
    };
}
