using System.Globalization;
using System.Text.RegularExpressions;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>Reads samples out of a Prometheus text exposition, as a scraper would.</summary>
public static class PrometheusText
{
    /// <summary>
    /// The value of the one sample of <paramref name="metric"/> (or <c>{metric}_total</c>) whose labels
    /// contain <paramref name="label"/>.
    /// </summary>
    public static double Sample(string exposition, string metric, string label = "")
    {
        var matches = Matches(exposition, metric, label);
        Assert.True(matches.Count == 1, $"expected one sample of {metric} with '{label}', found {matches.Count} in:\n{exposition}");
        return Value(matches[0]);
    }

    /// <summary>Like <see cref="Sample"/>, but null while the instrument has recorded nothing yet.</summary>
    public static double? SampleIfRecorded(string exposition, string metric, string label = "") =>
        Matches(exposition, metric, label) is [var line] ? Value(line) : null;

    private static List<string> Matches(string exposition, string metric, string label)
    {
        var name = new Regex($@"^{Regex.Escape(metric)}(_total)?[{{ ]");
        return [.. exposition.Split('\n').Where(line => name.IsMatch(line) && line.Contains(label, StringComparison.Ordinal))];
    }

    private static double Value(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
}
