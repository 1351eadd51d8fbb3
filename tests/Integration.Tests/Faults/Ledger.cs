using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.ServiceDefaults.Messaging;

namespace Predictions.Integration.Tests.Faults;

/// <summary>
/// Every submission a fault test made, and what became of it. Each submission carries its sequence number
/// as its feature value, so a stored prediction can be traced to the submission it came from even when the
/// client never learnt its id (the connection broke after the broker had taken it).
/// </summary>
public sealed class Ledger
{
    private readonly ConcurrentDictionary<long, string> _accepted = new();
    private readonly ConcurrentDictionary<long, string> _uncertain = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentDictionary<string, bool> _poisoned = new();
    private long _next;

    public int Accepted => _accepted.Count;

    public int Uncertain => _uncertain.Count;

    public IEnumerable<string> AcceptedIds => _accepted.Values;

    /// <summary>Uncertain submissions for one reason, e.g. <c>"503"</c>.</summary>
    public int UncertainBecause(string why) => _uncertain.Values.Count(v => v == why);

    /// <summary>The counts so far, for failure messages.</summary>
    public string Describe() =>
        $"{Accepted} accepted, uncertain: {string.Join(", ", _uncertain.Values.GroupBy(v => v).Select(g => $"{g.Count()} {g.Key}"))}; unexpected: {string.Join(" | ", _unexpected.Take(5))}";

    public long NextSequence() => Interlocked.Increment(ref _next);

    /// <summary>The system took it and told us its id: it must reach exactly one outcome and one audit row.</summary>
    public void RecordAccepted(long sequence, string id) => _accepted[sequence] = id;

    /// <summary>
    /// We cannot know whether the system took it (503, or the connection broke): it may appear at most once,
    /// or not at all.
    /// </summary>
    public void RecordUncertain(long sequence, string why) => _uncertain[sequence] = why;

    /// <summary>
    /// An accepted request the test made crash the worker on purpose: it must end in the poison queue, and
    /// failed (not computed) with one audit row.
    /// </summary>
    public void RecordPoisoned(string id) => _poisoned[id] = true;

    /// <summary>An answer the contract never allows (a 500, a 202 without an id…): fails the test.</summary>
    public void RecordUnexpected(string what) => _unexpected.Enqueue(what);

    /// <summary>
    /// Waits until every accepted prediction has an outcome and every queue drained, then checks the books:
    /// each accepted id exactly one outcome and one audit row, nothing stored that was never submitted,
    /// nothing in an error queue, and nothing in the poison queue but the requests made poisonous on purpose.
    /// </summary>
    public async Task VerifyAsync(PredictionSystem system, TimeSpan timeout)
    {
        Assert.True(_unexpected.IsEmpty, $"Answers the contract does not allow:\n{string.Join("\n", _unexpected.Take(20))}");
        Assert.True(Accepted > 0, "No submission was accepted: the test drove no load.");

        IReadOnlyDictionary<string, Stored> outcomes = new Dictionary<string, Stored>();
        await Eventually.HoldsAsync(
            async () =>
            {
                outcomes = await ReadOutcomesAsync(system.ResultsDatabase);
                return _accepted.Values.All(id => outcomes.TryGetValue(id, out var s) && s.Status != "queued");
            },
            timeout,
            () => $"{_accepted.Values.Count(id => !outcomes.TryGetValue(id, out var s) || s.Status == "queued")} of {Accepted} accepted predictions have no outcome yet. {DescribeQueues(system)}\n{system.Describe()}");

        // Audit rows may trail the outcomes pollers see: the audit consumer works on its own, and retries.
        IReadOnlyList<AuditRow> audited = [];
        await Eventually.HoldsAsync(
            async () => (audited = await system.Audit.ReadAsync(_accepted.Values)).Select(r => r.PredictionId).Distinct().Count() == Accepted,
            timeout,
            () => $"{audited.Select(r => r.PredictionId).Distinct().Count()} of {Accepted} accepted predictions are audited. {DescribeQueues(system)}\n{system.Describe()}");

        await Eventually.HoldsAsync(
            async () => await QueuesDrainedAsync(system),
            timeout,
            () => $"Queues did not drain: {DescribeQueues(system)}");

        var all = await ReadOutcomesAsync(system.ResultsDatabase);
        foreach (var id in _poisoned.Keys)
        {
            Assert.True(all.TryGetValue(id, out var stored) && stored.Status == "failed", $"Poisoned prediction {id} did not end failed.");
        }

        outcomes = all.Where(o => !_poisoned.ContainsKey(o.Key)).ToDictionary();
        var audit = (await system.Audit.ReadAsync()).GroupBy(r => r.PredictionId).ToDictionary(g => g.Key, g => g.Count());
        var bySequence = outcomes.Values.GroupBy(s => (long)s.FeatureValue).ToDictionary(g => g.Key, g => g.ToList());

        foreach (var (sequence, id) in _accepted)
        {
            Assert.True(outcomes.TryGetValue(id, out var stored) && stored.Status is "completed" or "failed" or "expired", $"Accepted prediction {id} (#{sequence}) has no terminal outcome.");
            Assert.True(audit.GetValueOrDefault(id) == 1, $"Accepted prediction {id} (#{sequence}) has {audit.GetValueOrDefault(id)} audit rows, not one.");
            Assert.True(bySequence[sequence].Count == 1, $"Submission #{sequence} was stored {bySequence[sequence].Count} times.");
        }

        foreach (var (sequence, stored) in bySequence)
        {
            Assert.True(_accepted.ContainsKey(sequence) || _uncertain.ContainsKey(sequence), $"Prediction #{sequence} was stored but never submitted.");
            Assert.True(stored.Count == 1, $"Submission #{sequence} was stored {stored.Count} times: {string.Join(", ", stored.Select(s => s.Id))}.");
        }

        foreach (var id in audit.Keys)
        {
            Assert.True(outcomes.ContainsKey(id) || _poisoned.ContainsKey(id), $"Audit row {id} belongs to no stored prediction.");
            Assert.Equal(1, audit[id]);
        }

        foreach (var queue in ErrorQueues)
        {
            var state = await system.Broker.GetQueueAsync(queue);
            Assert.True(state is null || state.Messages == 0, $"{state?.Messages} messages went to {queue}.");
        }

        Assert.True(_poisoned.Keys.All(id => audit.GetValueOrDefault(id) == 1), "A poisoned request does not have exactly one audit row.");
        var poison = await system.Broker.GetQueueAsync(Topology.PoisonQueue);
        Assert.True((poison?.Messages ?? 0) == _poisoned.Count, $"{poison?.Messages} messages went to {Topology.PoisonQueue}, not the {_poisoned.Count} poisoned on purpose.");
    }

    private static readonly string[] WatchedQueues = [Topology.WorkQueue, Topology.SuspectQueue, Topology.PoisonedQueue, Topology.AuditQueue, Topology.StatusQueue, Topology.StatusRequestsQueue];

    private static readonly string[] ErrorQueues = [.. WatchedQueues.Select(q => q + "_error")];

    private static string DescribeQueues(PredictionSystem system) =>
        "Queues (messages/consumers): " + string.Join(", ", WatchedQueues.Select(q =>
        {
            var state = system.Broker.GetQueueAsync(q).GetAwaiter().GetResult();
            return $"{q} {state?.Messages}/{state?.Consumers}";
        }));

    private static async Task<bool> QueuesDrainedAsync(PredictionSystem system)
    {
        foreach (var queue in WatchedQueues)
        {
            if ((await system.Broker.GetQueueAsync(queue))?.Messages > 0)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<IReadOnlyDictionary<string, Stored>> ReadOutcomesAsync(string path)
    {
        var stored = new Dictionary<string, Stored>();
        if (!File.Exists(path))
        {
            return stored;
        }

        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT prediction_id, status, feature_value FROM predictions";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored[reader.GetString(0)] = new Stored(reader.GetString(0), reader.GetString(1), reader.GetDouble(2));
        }

        return stored;
    }

    private sealed record Stored(string Id, string Status, double FeatureValue);
}
