using System.Globalization;
using Microsoft.Extensions.Options;
using Predictions.Contracts;

namespace Predictions.Gateway.Rollouts;

/// <summary>
/// The outcomes of each model version over the last <see cref="GuardOptions.Window"/>, which the canary guard judges
/// and the admin API lists. Completed and failed outcomes count, shadow copies included (they are the version's work
/// too); expired ones do not, since a deadline that passed before inference says nothing about the version. Outcomes
/// without a model or with a version that is not a number are skipped: rollouts address versions by number.
/// </summary>
public sealed class VersionStatistics(TimeProvider clock, IOptions<GuardOptions> options)
{
    /// <summary>The most samples kept per version, the oldest dropped first, so a flood cannot grow memory without end.</summary>
    public const int MaxSamplesPerVersion = 10_000;

    private readonly TimeSpan _window = options.Value.Window;
    private readonly Dictionary<(string Name, int Version), Queue<Sample>> _versions = [];
    private readonly Lock _lock = new();

    public void Record(PredictionOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome is PredictionExpired || !TryKey(outcome.Model, out var key))
        {
            return;
        }

        var sample = new Sample(clock.GetUtcNow(), outcome is PredictionFailed, LatencyOf(outcome));
        lock (_lock)
        {
            if (!_versions.TryGetValue(key, out var samples))
            {
                _versions[key] = samples = new Queue<Sample>();
            }

            Prune(samples, sample.At);
            samples.Enqueue(sample);
            if (samples.Count > MaxSamplesPerVersion)
            {
                samples.Dequeue();
            }
        }
    }

    public VersionFigures Of(string name, int version)
    {
        ArgumentNullException.ThrowIfNull(name);
        Sample[] samples;
        lock (_lock)
        {
            if (!_versions.TryGetValue((name, version), out var queue))
            {
                return VersionFigures.None;
            }

            Prune(queue, clock.GetUtcNow());
            samples = [.. queue];
        }

        return Figures(samples);
    }

    /// <summary>Every version with outcomes in the window; versions whose outcomes all aged out are forgotten.</summary>
    public IReadOnlyDictionary<(string Name, int Version), VersionFigures> All()
    {
        var now = clock.GetUtcNow();
        var copies = new List<((string, int) Key, Sample[] Samples)>();
        lock (_lock)
        {
            foreach (var (key, queue) in _versions)
            {
                Prune(queue, now);
                if (queue.Count == 0)
                {
                    _versions.Remove(key);
                }
                else
                {
                    copies.Add((key, [.. queue]));
                }
            }
        }

        // Computed outside the lock: sorting latencies must not hold up the consumers recording outcomes.
        return copies.ToDictionary(copy => copy.Key, copy => Figures(copy.Samples));
    }

    private static bool TryKey(ModelIdentity? model, out (string, int) key)
    {
        key = default;
        if (model is null
            || !int.TryParse(model.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }

        key = (model.Name, version);
        return true;
    }

    private static double? LatencyOf(PredictionOutcome outcome) =>
        outcome is PredictionCompleted { Timings: { InferenceStartedAt: { } started, InferenceCompletedAt: { } completed } }
            ? Math.Max(0, (completed - started).TotalMilliseconds)
            : null;

    /// <summary>Drops the samples a full window old or older; they were recorded in time order, so the oldest lead.</summary>
    private void Prune(Queue<Sample> samples, DateTimeOffset now)
    {
        while (samples.TryPeek(out var oldest) && now - oldest.At >= _window)
        {
            samples.Dequeue();
        }
    }

    private static VersionFigures Figures(Sample[] samples)
    {
        if (samples.Length == 0)
        {
            return VersionFigures.None;
        }

        var failed = samples.Count(sample => sample.Failed);
        var latencies = samples.Where(sample => sample.LatencyMilliseconds is not null)
            .Select(sample => sample.LatencyMilliseconds!.Value)
            .ToArray();
        return new VersionFigures(samples.Length, failed, (double)failed / samples.Length, P95(latencies));
    }

    /// <summary>Nearest rank: the smallest latency that at least 95 % of the latencies do not exceed.</summary>
    private static double? P95(double[] latencies)
    {
        if (latencies.Length == 0)
        {
            return null;
        }

        Array.Sort(latencies);
        var rank = (int)Math.Ceiling(0.95 * latencies.Length);
        return latencies[rank - 1];
    }

    private readonly record struct Sample(DateTimeOffset At, bool Failed, double? LatencyMilliseconds);
}
