using System.Diagnostics;

namespace Predictions.Harness;

/// <summary>A short-lived command (rabbitmqctl, a shell script, a docs example) run to its end.</summary>
public static class Command
{
    /// <summary>Runs <paramref name="file"/> and returns its exit code with its output and errors; a command still
    /// running after <paramref name="timeout"/> is killed and reported as exit code -1.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} did not finish within {timeout}: {await output}{await error}");
        }

        return (process.ExitCode, await output + await error);
    }
}
