using System.Collections.Concurrent;
using System.Text.Json;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging;

namespace Predictions.Integration.Tests.Faults;

/// <summary>
/// Every submission a fault test made, what the broker took, and what became of it. Each submission carries
/// its sequence number as its feature value, so whatever the system made of it can be traced to the
/// submission it came from, even when the client never learnt its id (a 503, or the connection broke).
/// </summary>
/// <remarks>
/// The rule the books are held to: every request the broker took (seen on the ledger's own queue bound to
/// both requests exchanges, the direct publishers' and the gateway's, whether or not its client heard back) reaches
/// exactly one stored outcome, the right one, and one audit row; nothing else is stored or audited; every queue of
/// the system drains. A request the gateway answered 503 broker-refused is the exception: the work queue refused it,
/// though the ledger's queue took its copy, and nothing may come of it.
/// Delivery is at-least-once: a worker that dies or loses its channel after computing a request but before
/// acknowledging it computes it again when it is redelivered. Such a recomputation publishes a second
/// outcome event, which the status and audit stores collapse (the first stored wins). The ledger counts the
/// outcome events on a queue of its own bound to the result exchanges and allows extra events only where the
/// test expects redeliveries, and only from distinct computations: one computation published twice is a bug.
/// </remarks>
public sealed class Ledger
{
    private readonly ConcurrentDictionary<long, string> _accepted = new();
    private readonly ConcurrentDictionary<long, int> _copies = new();
    private readonly ConcurrentDictionary<long, string> _uncertain = new();
    private readonly ConcurrentDictionary<long, bool> _refused = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentDictionary<string, string> _expectedStatus = new();
    private readonly BrokerTap _requests;
    private readonly BrokerTap _outcomes;
    private readonly bool _recomputations;
    private long _next;
    private int _poisoned;
    private readonly ConcurrentDictionary<string, bool> _poisonedIds = new();

    private Ledger(BrokerTap requests, BrokerTap outcomes, bool recomputations)
    {
        _requests = requests;
        _outcomes = outcomes;
        _recomputations = recomputations;
    }

    /// <summary>
    /// Opens the books and the ledger's queues on the system's broker. <paramref name="recomputations"/>:
    /// the test kills a worker or the broker, so a request may be redelivered after it was computed.
    /// <paramref name="lanes"/>: the routing keys of the model lanes requests are published to besides the default's.
    /// </summary>
    public static async Task<Ledger> OpenAsync(PredictionSystem system, bool recomputations = false, IEnumerable<string>? lanes = null)
    {
        var requests = await BrokerTap.CreateAsync(system.Broker, RequestsTap, Topology.PredictionRequests, Topology.Submissions);
        await requests.TapLanesAsync(lanes ?? []);
        return new(
            requests,
            await BrokerTap.CreateAsync(
                system.Broker, OutcomesTap, Topology.PredictionCompleted, Topology.PredictionFailed, Topology.PredictionExpired),
            recomputations);
    }

    private const string RequestsTap = "ledger-requests";

    private const string OutcomesTap = "ledger-outcomes";

    public int Accepted => _accepted.Count;

    public int Uncertain => _uncertain.Count;

    public IEnumerable<string> AcceptedIds => _accepted.Values;

    /// <summary>Uncertain submissions for one reason, e.g. <c>"503"</c>.</summary>
    public int UncertainBecause(string why) => _uncertain.Values.Count(v => v == why);

    /// <summary>Every reason a submission was uncertain for, e.g. <c>"503"</c>.</summary>
    public IReadOnlyCollection<string> UncertainReasons => [.. _uncertain.Values.Distinct()];

    /// <summary>The counts so far, for failure messages.</summary>
    public string Describe() =>
        $"{Accepted} accepted, uncertain: {string.Join(", ", _uncertain.Values.GroupBy(v => v).Select(g => $"{g.Count()} {g.Key}"))}; "
        + $"unexpected: {string.Join(" | ", _unexpected.Take(5))}";

    public long NextSequence() => Interlocked.Increment(ref _next);

    /// <summary>
    /// The system took it and told us its id (or the test published it itself, once per call): it must reach
    /// its outcome, completed unless <see cref="RecordPoisoned"/> says otherwise.
    /// </summary>
    public void RecordAccepted(long sequence, string id)
    {
        _accepted[sequence] = id;
        _copies.AddOrUpdate(sequence, 1, (_, copies) => copies + 1);
    }

    /// <summary>
    /// We cannot know whether the system took it (503, or the connection broke). If the broker has it, it is
    /// held to the same rule as an accepted one; if not, nothing may come of it.
    /// </summary>
    public void RecordUncertain(long sequence, string why) => _uncertain[sequence] = why;

    /// <summary>
    /// The gateway said the broker refused it (a 503 of type broker-refused): the work queue did not store it, so
    /// nothing may come of it, though the ledger's tap on the same exchange may hold a copy.
    /// </summary>
    public void RecordRefused(long sequence) => _refused[sequence] = true;

    /// <summary>
    /// An accepted request the test made crash the worker on purpose: it must end failed (not computed) with
    /// one audit row, and its original in the poison queue for an operator.
    /// </summary>
    public void RecordPoisoned(long sequence, string id)
    {
        RecordAccepted(sequence, id);
        _expectedStatus[id] = "failed";
        _poisonedIds[id] = true;
        Interlocked.Increment(ref _poisoned);
    }

    /// <summary>An answer the contract never allows (a 500, a 202 without an id, a client timeout…): fails the test.</summary>
    public void RecordUnexpected(string what) => _unexpected.Enqueue(what);

    /// <summary>
    /// Waits until every request the broker took has its outcome and audit row and every queue drained, then
    /// checks the books (see the class remarks).
    /// </summary>
    public async Task VerifyAsync(PredictionSystem system, TimeSpan timeout)
    {
        Assert.True(_unexpected.IsEmpty, $"Answers the contract does not allow:\n{string.Join("\n", _unexpected.Take(20))}");
        Assert.True(Accepted > 0, "No submission was accepted: the test drove no load.");

        // What the broker took, whether or not its client heard back.
        var taken = new Dictionary<string, long>();
        var refusedIds = new HashSet<string>();
        IReadOnlyDictionary<string, Stored> stored = new Dictionary<string, Stored>();
        string[] pending = [];
        await Eventually.HoldsAsync(
            async () =>
            {
                foreach (var request in await _requests.CollectAsync())
                {
                    if (_refused.ContainsKey(request.Sequence))
                    {
                        refusedIds.Add(request.PredictionId);
                    }
                    else
                    {
                        taken[request.PredictionId] = request.Sequence;
                    }
                }

                stored = await ReadStatusStoreAsync(system);
                pending = [.. taken.Keys.Concat(_accepted.Values).Distinct()
                    .Where(id => !stored.TryGetValue(id, out var s) || s.Status == "queued")];
                return pending.Length == 0;
            },
            timeout,
            () => $"{pending.Length} of {taken.Count} requests the broker took have no outcome yet, e.g. {string.Join(", ", pending.Take(5))}. "
                + $"{DescribeQueuesAsync(system).GetAwaiter().GetResult()}\n{system.Describe()}");

        // Audit rows may trail the outcomes pollers see: the audit consumer works on its own, and retries.
        IReadOnlyList<AuditRow> audit = [];
        await Eventually.HoldsAsync(
            async () => (audit = await system.Audit.ReadAsync()).Select(r => r.PredictionId).Distinct().Count() >= taken.Count,
            timeout,
            () => $"{audit.Select(r => r.PredictionId).Distinct().Count()} of {taken.Count} requests the broker took are audited. "
                + $"{DescribeQueuesAsync(system).GetAwaiter().GetResult()}\n{system.Describe()}");

        await WaitUntilDrainedAsync(system, _poisoned, timeout);
        await VerifyPoisonQueueAsync(system);

        stored = await ReadStatusStoreAsync(system);
        audit = await system.Audit.ReadAsync();
        var events = (await _outcomes.CollectAsync()).Select(OutcomeEvent.From).ToList();

        foreach (var (id, sequence) in taken)
        {
            Assert.True(
                _accepted.ContainsKey(sequence) || _uncertain.ContainsKey(sequence),
                $"The broker took #{sequence} ({id}), which was never submitted.");
        }

        foreach (var (sequence, id) in _accepted)
        {
            Assert.True(taken.TryGetValue(id, out var tapped) && tapped == sequence, $"Accepted #{sequence} ({id}) never reached the broker.");
        }

        var auditById = audit.GroupBy(r => r.PredictionId).ToDictionary(g => g.Key, g => g.ToList());
        var eventsById = events.GroupBy(e => e.PredictionId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (id, sequence) in taken)
        {
            var expected = _expectedStatus.GetValueOrDefault(id, "completed");
            var why = _accepted.ContainsKey(sequence) ? "accepted" : $"uncertain ({_uncertain[sequence]}) but taken by the broker";
            var outcome = stored[id];
            Assert.True(outcome.Status == expected, $"#{sequence} ({id}, {why}) ended {outcome.Status}, not {expected}: {outcome.Error}");
            if (expected == "completed")
            {
                Assert.True(
                    outcome.Prediction == 2 * sequence, $"#{sequence} ({id}, {why}) completed with {outcome.Prediction}, not {2 * sequence}.");
            }

            var rows = auditById.GetValueOrDefault(id) ?? [];
            Assert.True(
                rows.Count == 1 && rows[0].Outcome == expected,
                $"#{sequence} ({id}, {why}) has {rows.Count} audit rows ({string.Join(", ", rows.Select(r => r.Outcome))}), not one {expected}.");

            var published = eventsById.GetValueOrDefault(id) ?? [];
            Assert.True(published.Count > 0, $"#{sequence} ({id}, {why}) is stored {outcome.Status}, yet no outcome event was published for it.");
            Assert.All(published, e => Assert.True(
                e.Status == expected && (expected != "completed" || e.Prediction == 2 * sequence),
                $"#{sequence} ({id}) had an outcome event {e}, not {expected}."));
            var computations = published.GroupBy(e => e.Computation).ToList();
            Assert.True(
                computations.All(c => c.Count() == 1),
                $"#{sequence} ({id}): one computation published {computations.Max(c => c.Count())} outcome events: {string.Join("; ", published)}.");
            var allowed = _recomputations ? int.MaxValue : _copies.GetValueOrDefault(sequence, 1);
            Assert.True(
                published.Count <= allowed,
                $"#{sequence} ({id}) was computed {published.Count} times, though it was published {allowed} time(s) "
                + $"and this test redelivers nothing: {string.Join("; ", published)}.");
        }

        foreach (var id in refusedIds)
        {
            Assert.False(
                stored.ContainsKey(id) || auditById.ContainsKey(id) || eventsById.ContainsKey(id),
                $"{id} was answered 503 broker-refused (not stored), yet it was stored, audited or published.");
        }

        // The tap is a second queue behind the request exchanges, and routing to two quorum queues is not atomic: a node
        // leading both lost mid-publish can leave the request in the work queue and not in the tap, while its client,
        // unconfirmed, got a 503. Such a request may be computed; one whose client got no 503 may not be missing.
        var sequenceOfOutcome = _outcomes.Messages
            .Where(m => m.Body.TryGetProperty("featureValue", out _))
            .GroupBy(m => m.PredictionId)
            .ToDictionary(g => g.Key, g => g.First().Sequence);
        foreach (var id in stored.Keys.Concat(auditById.Keys).Concat(eventsById.Keys))
        {
            var answered503 = sequenceOfOutcome.TryGetValue(id, out var sequence) && _uncertain.ContainsKey(sequence);
            Assert.True(taken.ContainsKey(id) || answered503, $"{id} was stored, audited or published, yet the broker never took such a request.");
        }
    }

    /// <summary>
    /// The poison queue holds each request poisoned on purpose and nothing else. A request may be there more than once:
    /// at-least-once delivery can copy a suspect twice (an acknowledgement lost with the worker that moved it), and
    /// each copy is set aside (docs/reliability.md, "A request that crashes the worker"). Read without taking: the
    /// messages return to the queue when the channel closes.
    /// </summary>
    private async Task VerifyPoisonQueueAsync(PredictionSystem system)
    {
        var connection = await system.Broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ids = new List<string>();
        while (await channel.BasicGetAsync(Topology.PoisonQueue, autoAck: false) is { } message)
        {
            using var document = JsonDocument.Parse(message.Body);
            var body = document.RootElement.TryGetProperty("message", out var inner) ? inner : document.RootElement;
            ids.Add(body.GetProperty("predictionId").GetString()!);
        }

        Assert.All(ids, id => Assert.True(_poisonedIds.ContainsKey(id), $"{id} is in the poison queue, yet no test poisoned it."));
        Assert.All(_poisonedIds.Keys, id => Assert.Contains(id, ids));
    }

    private static async Task WaitUntilDrainedAsync(PredictionSystem system, int poisoned, TimeSpan timeout)
    {
        // The management API's statistics lag the queues by its collection interval (1 s on the tests' own
        // nodes): only zero on two reads further apart than that is drained.
        string? undrained = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                if ((undrained = await UndrainedAsync(system, poisoned)) is not null)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromSeconds(1.5));
                return (undrained = await UndrainedAsync(system, poisoned)) is null;
            },
            timeout,
            () => $"Queues did not drain: {undrained}\n{system.Describe()}");
    }

    /// <summary>
    /// Every queue of the system with messages ready or unacknowledged (error and <c>_skipped</c> queues
    /// included), or null when there are none. The poison queue holds at least one copy of each request poisoned on
    /// purpose (what the copies are is checked once it is still).
    /// </summary>
    private static async Task<string?> UndrainedAsync(PredictionSystem system, int poisoned)
    {
        var undrained = new List<string>();
        foreach (var queue in await ReadQueuesAsync(system))
        {
            if (queue.Name is RequestsTap or OutcomesTap)
            {
                continue;
            }

            if (queue.Name == Topology.PoisonQueue ? queue.Messages < poisoned || queue.Unacknowledged > 0 : queue.Messages != 0)
            {
                undrained.Add(queue.ToString());
            }
        }

        return undrained.Count == 0 ? null : string.Join(", ", undrained);
    }

    private static async Task<IReadOnlyList<QueueMessages>> ReadQueuesAsync(PredictionSystem system) =>
        [.. (await system.Broker.QueueDepthsAsync()).Select(q => new QueueMessages(q.Key, q.Value.Total, q.Value.Unacknowledged))];

    private static async Task<string> DescribeQueuesAsync(PredictionSystem system)
    {
        try
        {
            return "Queues: " + string.Join(", ", await ReadQueuesAsync(system));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or AggregateException)
        {
            return $"Queues unknown: {ex.Message}";
        }
    }

    private static async Task<IReadOnlyDictionary<string, Stored>> ReadStatusStoreAsync(PredictionSystem system) =>
        (await system.Statuses.ReadAsync()).ToDictionary(r => r.Key, r => new Stored(r.Value.Status, r.Value.Prediction, r.Value.Error));

    private sealed record Stored(string Status, double? Prediction, string? Error);

    /// <summary>A queue as the broker counts it: all its messages, ready or unacknowledged.</summary>
    private sealed record QueueMessages(string Name, long Messages, long Unacknowledged)
    {
        public override string ToString() => $"{Name} {Messages} messages ({Unacknowledged} unacked)";
    }

    /// <summary>One outcome event as published, and the computation it came from (the worker and when it received the request).</summary>
    private sealed record OutcomeEvent(string PredictionId, string Status, double? Prediction, string Computation)
    {
        public static OutcomeEvent From(TappedMessage message) => new(
            message.PredictionId,
            message.Exchange switch
            {
                Topology.PredictionCompleted => "completed",
                Topology.PredictionFailed => "failed",
                Topology.PredictionExpired => "expired",
                _ => message.Exchange,
            },
            message.Body.TryGetProperty("prediction", out var prediction) ? prediction.GetDouble() : null,
            $"{message.Body.GetProperty("worker").GetString()} at {message.Body.GetProperty("timings").GetProperty("receivedAt").GetString()}");
    }
}
