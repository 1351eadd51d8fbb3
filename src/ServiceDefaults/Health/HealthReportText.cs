using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Predictions.ServiceDefaults.Health;

/// <summary>A probe's answer as plain text: the status, then why, so an operator reading it sees which endpoint is down.</summary>
public static class HealthReportText
{
    public static string Format(HealthReport report) =>
        string.Join('\n', report.Entries
            .Where(entry => entry.Value.Status != HealthStatus.Healthy)
            .Select(entry => $"{entry.Key}: {entry.Value.Description ?? entry.Value.Exception?.Message}")
            .Prepend(report.Status.ToString()));
}
