using System.Globalization;

namespace Predictions.Bench;

/// <summary>Reads a host's Prometheus endpoint: per-stage latency sums and counts, thread-pool gauges.</summary>
public sealed class MetricsScraper(Uri metrics)
{
    private static readonly string[] Stages = ["broker_wait", "metadata", "pool_wait", "batch_wait", "inference"];
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Every sample: the full series name with labels, then its value.</summary>
    public async Task<Dictionary<string, double>> ScrapeAsync()
    {
        var samples = new Dictionary<string, double>();
        foreach (var line in (await Http.GetStringAsync(metrics)).Split('\n'))
        {
            var space = line.LastIndexOf(' ');
            if (line.Length > 0 && line[0] != '#' && space > 0
                && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples[line[..space]] = value;
            }
        }

        return samples;
    }

    /// <summary>Each host by role, numbered when there are several: the names reports give them.</summary>
    public static IEnumerable<KeyValuePair<string, MetricsScraper?>> Named(string role, List<MetricsScraper> hosts) =>
        hosts.Select((host, i) => KeyValuePair.Create(hosts.Count == 1 ? role : $"{role}-{i + 1}", (MetricsScraper?)host));

    /// <summary>As <see cref="ScrapeAllAsync"/>; null when there is no host to read (a running system without probes).</summary>
    public static async Task<Dictionary<string, double>?> ScrapeAnyAsync(List<MetricsScraper> hosts) =>
        hosts.Count == 0 ? null : await ScrapeAllAsync(hosts);

    /// <summary>Every sample of several hosts, summed series by series: sums and counts of all workers as one.</summary>
    public static async Task<Dictionary<string, double>> ScrapeAllAsync(IEnumerable<MetricsScraper> hosts)
    {
        var total = new Dictionary<string, double>();
        foreach (var samples in await Task.WhenAll(hosts.Select(h => h.ScrapeAsync())))
        {
            foreach (var (series, value) in samples)
            {
                total[series] = total.GetValueOrDefault(series) + value;
            }
        }

        return total;
    }

    /// <summary>Mean milliseconds per stage between two scrapes of the workers.</summary>
    public static Dictionary<string, double?> StageMeansMs(Dictionary<string, double> before, Dictionary<string, double> after) =>
        StageMeansMs(before, after, model: null);

    /// <summary>Mean milliseconds per stage between two scrapes of the workers, of one model's predictions when it is named.</summary>
    public static Dictionary<string, double?> StageMeansMs(Dictionary<string, double> before, Dictionary<string, double> after, string? model) =>
        Stages.ToDictionary(stage => stage, stage =>
        {
            var sum = Delta(before, after, "prediction_stage_duration_seconds_sum", $"prediction_stage=\"{stage}\"", ModelLabel(model));
            var count = Delta(before, after, "prediction_stage_duration_seconds_count", $"prediction_stage=\"{stage}\"", ModelLabel(model));
            return count > 0 ? Math.Round(sum / count * 1000, 2) : (double?)null;
        });

    /// <summary>How many predictions of <paramref name="model"/> the workers ran the model for between two scrapes.</summary>
    public static int Inferences(Dictionary<string, double> before, Dictionary<string, double> after, string model) =>
        (int)Delta(before, after, "prediction_stage_duration_seconds_count", "prediction_stage=\"inference\"", ModelLabel(model));

    /// <summary>Mean inputs per model call between two scrapes of the worker; null if the model was not called.</summary>
    public static double? MeanBatchSize(Dictionary<string, double> before, Dictionary<string, double> after)
    {
        var calls = Delta(before, after, "prediction_inference_batch_size_count");
        var inputs = Delta(before, after, "prediction_inference_batch_size_sum");
        return calls > 0 ? Math.Round(inputs / calls, 2) : null;
    }

    /// <summary>The value of the first series whose name starts with <paramref name="prefix"/>.</summary>
    public static double? Value(Dictionary<string, double> samples, string prefix) =>
        samples.FirstOrDefault(s => s.Key.StartsWith(prefix, StringComparison.Ordinal)) is { Key: not null } found ? found.Value : null;

    private static string ModelLabel(string? model) => model is null ? "" : $"model_name=\"{model}\"";

    /// <summary>
    /// How much the series of <paramref name="metric"/> whose labels contain every one of <paramref name="labels"/> grew between two scrapes.
    /// </summary>
    private static double Delta(Dictionary<string, double> before, Dictionary<string, double> after, string metric, params string[] labels)
    {
        double Find(Dictionary<string, double> samples) =>
            samples.Where(s => (s.Key == metric || s.Key.StartsWith(metric + "{", StringComparison.Ordinal))
                    && labels.All(label => s.Key.Contains(label, StringComparison.Ordinal)))
                .Sum(s => s.Value);
        return Find(after) - Find(before);
    }
}
