using System.Globalization;

namespace Predictions.Bench;

/// <summary>Samples processes the bench started, from /proc: peak resident memory and CPU time used.</summary>
public sealed class ProcessMonitor : IDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux the bench runs on
    private readonly List<Watched> _watched;
    private readonly Progress _sampler;

    public ProcessMonitor(IEnumerable<(string Name, int Pid)> processes)
    {
        _watched = processes.Select(p => new Watched(p.Name, p.Pid, CpuTicks(p.Pid))).ToList();
        _sampler = Progress.Every(TimeSpan.FromMilliseconds(250), Sample);
    }

    /// <summary>Each process: peak RSS in MB while watched (and over its life, VmHWM), CPU seconds since watching began.</summary>
    public IReadOnlyList<ProcessReport> Report()
    {
        Sample();
        return _watched.Select(w => new ProcessReport(
                w.Name, w.Pid, Math.Round(w.PeakRssKb / 1024.0, 1), Math.Round(Kb(w.Pid, "VmHWM:") / 1024.0, 1),
                Math.Round((CpuTicks(w.Pid) - w.StartTicks) / TicksPerSecond, 2)))
            .ToList();
    }

    /// <summary>Starts the peak over again from now.</summary>
    public void ResetPeaks()
    {
        foreach (var watched in _watched)
        {
            watched.PeakRssKb = 0;
        }
    }

    public void Dispose() => _sampler.Dispose();

    private void Sample()
    {
        foreach (var watched in _watched)
        {
            watched.PeakRssKb = Math.Max(watched.PeakRssKb, Kb(watched.Pid, "VmRSS:"));
        }
    }

    private static long Kb(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long CpuTicks(int pid)
    {
        try
        {
            // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private sealed class Watched(string name, int pid, long startTicks)
    {
        public string Name { get; } = name;

        public int Pid { get; } = pid;

        public long StartTicks { get; } = startTicks;

        public long PeakRssKb { get; set; }
    }
}

public sealed record ProcessReport(string Name, int Pid, double PeakRssMb, double LifetimePeakRssMb, double CpuSeconds);
