using Microsoft.Extensions.Options;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Rollouts;

/// <summary>
/// What each worker last reported of its lanes, as this gateway heard it: a worker silent for three announce intervals
/// is taken for gone (a killed worker reports nothing).
/// </summary>
public sealed class WorkerReadiness(IOptions<RolloutOptions> options, TimeProvider clock)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, (LaneReadinessReported Report, DateTimeOffset HeardAt)> _workers = [];

    /// <summary>How long a report counts: three announce intervals, each of which the workers answer.</summary>
    private readonly TimeSpan _freshness = 3 * options.Value.AnnounceInterval;

    /// <summary>Keeps <paramref name="report"/>; true when the worker was not known (or was taken for gone) until now.</summary>
    public bool Record(LaneReadinessReported report)
    {
        lock (_lock)
        {
            var known = _workers.TryGetValue(report.Worker, out var last) && clock.GetUtcNow() - last.HeardAt < _freshness;
            if (!known || report.At >= last.Report.At)
            {
                _workers[report.Worker] = (report, clock.GetUtcNow());
            }

            return !known;
        }
    }

    /// <summary>Every live worker's state for the version, by worker, with when this gateway heard it.</summary>
    public IReadOnlyList<(string Worker, LaneReadiness Lane, DateTimeOffset HeardAt)> Of(string name, int version)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            return [.. _workers.Values
                .Where(entry => now - entry.HeardAt < _freshness)
                .SelectMany(entry => entry.Report.Lanes
                    .Where(lane => lane.Name == name && lane.Version == version)
                    .Select(lane => (entry.Report.Worker, lane, entry.HeardAt)))
                .OrderBy(entry => entry.Worker, StringComparer.Ordinal)];
        }
    }

    /// <summary>Live workers on which the version is ready.</summary>
    public int ReadyOn(string name, int version) => Of(name, version).Count(entry => entry.Lane.State == LaneStates.Ready);
}
