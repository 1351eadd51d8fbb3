using System.Globalization;
using System.Text.RegularExpressions;

namespace Predictions.Harness;

/// <summary>A queue's messages as the broker counts them: ready for a consumer, and delivered but not yet acknowledged.</summary>
public sealed partial record QueueDepth(long Ready, long Unacknowledged)
{
    public long Total => Ready + Unacknowledged;

    /// <summary>Reads the Prometheus plugin's <c>queue_coarse_metrics</c> family for one virtual host.</summary>
    internal static IReadOnlyDictionary<string, QueueDepth> Parse(string exposition, string virtualHost)
    {
        var ready = new Dictionary<string, long>();
        var unacknowledged = new Dictionary<string, long>();
        foreach (Match sample in Sample().Matches(exposition))
        {
            if (sample.Groups["vhost"].Value != virtualHost)
            {
                continue;
            }

            var counts = sample.Groups["metric"].Value == "ready" ? ready : unacknowledged;
            counts[sample.Groups["queue"].Value] = (long)double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return ready.Keys.Union(unacknowledged.Keys).ToDictionary(
            queue => queue, queue => new QueueDepth(ready.GetValueOrDefault(queue), unacknowledged.GetValueOrDefault(queue)));
    }

    [GeneratedRegex(
        """^rabbitmq_detailed_queue_messages_(?<metric>ready|unacked)\{vhost="(?<vhost>[^"]*)",queue="(?<queue>[^"]*)"\} (?<value>\S+)$""",
        RegexOptions.Multiline)]
    private static partial Regex Sample();
}
