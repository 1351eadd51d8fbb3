namespace Predictions.Bench;

/// <summary>
/// The processes of one role summed (all workers, all gateways): what the role costs in memory and CPU,
/// and its CPU per prediction, which is what tells whether adding processes can still add throughput.
/// </summary>
public sealed record RoleReport(string Role, int Processes, double PeakRssMb, double CpuSeconds, double? CpuMsPerPrediction)
{
    /// <summary>One row per role, in the order the roles first appear; <c>worker-2</c> belongs to <c>worker</c>.</summary>
    public static IReadOnlyList<RoleReport> For(IEnumerable<ProcessReport> processes, int completed) =>
        processes.GroupBy(p => RoleOf(p.Name))
            .Select(role => new RoleReport(
                role.Key,
                role.Count(),
                Math.Round(role.Sum(p => p.PeakRssMb), 1),
                Math.Round(role.Sum(p => p.CpuSeconds), 2),
                PerPrediction(role.Sum(p => p.CpuSeconds), completed)))
            .ToList();

    /// <summary>Milliseconds of CPU per completed prediction; null when none completed.</summary>
    public static double? PerPrediction(double cpuSeconds, int completed) =>
        completed > 0 ? Math.Round(cpuSeconds * 1000 / completed, 2) : null;

    private static string RoleOf(string process) =>
        process.LastIndexOf('-') is var dash and > 0 && int.TryParse(process[(dash + 1)..], out _) ? process[..dash] : process;
}
