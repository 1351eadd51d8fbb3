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
        var name = new Regex($@"^{Regex.Escape(metric)}(_total)?[{{ ]");
        var matches = exposition.Split('\n').Where(line => name.IsMatch(line) && line.Contains(label, StringComparison.Ordinal)).ToList();
        Assert.True(matches.Count == 1, $"expected one sample of {metric} with '{label}', found {matches.Count} in:\n{exposition}");
        return double.Parse(matches[0][(matches[0].LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
