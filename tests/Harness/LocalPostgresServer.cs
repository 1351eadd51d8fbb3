using System.Globalization;

namespace Predictions.Harness;

/// <summary>
/// A private PostgreSQL server from Debian's <c>postgresql</c> package: initdb and pg_ctl on a temp folder
/// and a free port, so it never meets a system server. PostgreSQL refuses to run as root: as root it runs
/// as the <c>postgres</c> user the package creates.
/// </summary>
public static class LocalPostgresServer
{
    private const string Installations = "/usr/lib/postgresql";

    public static bool IsInstalled => Binaries() is not null;

    /// <summary>
    /// Starts a server. <paramref name="files"/> are copied into its folder (readable by the server only, as
    /// PostgreSQL requires of a key file) and <paramref name="settings"/> (<c>name=value</c>, where
    /// <c>{folder}</c> stands for that folder) are added to its command line.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(IReadOnlyList<string>? files = null, IReadOnlyList<string>? settings = null)
    {
        var bin = Binaries() ?? throw new InvalidOperationException($"No PostgreSQL server under {Installations}.");
        RemoveStoppedServers();
        var root = Directory.CreateTempSubdirectory("predictions-postgres-").FullName;
        var port = Ports.Free().ToString(CultureInfo.InvariantCulture);
        var data = Path.Combine(root, "data");
        var log = Path.Combine(root, "log");
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", root], root);
        }

        async Task PgAsync(string tool, string[] arguments) =>
            await RunAsync(
                asRoot ? "runuser" : Path.Combine(bin, tool),
                asRoot ? ["-u", "postgres", "--", Path.Combine(bin, tool), .. arguments] : arguments,
                root);

        foreach (var file in files ?? [])
        {
            var copy = Path.Combine(root, Path.GetFileName(file));
            File.Copy(file, copy);
            await RunAsync("chmod", ["600", copy], root);
            if (asRoot)
            {
                await RunAsync("chown", ["postgres:postgres", copy], root);
            }
        }

        var extra = string.Concat((settings ?? []).Select(setting => $" -c {setting.Replace("{folder}", root, StringComparison.Ordinal)}"));
        await PgAsync("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
        // -k keeps the socket in the folder, out of /var/run; enough connections for tests in parallel.
        string[] start =
        [
            "-D", data, "-l", log,
            "-o", $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off{extra}",
            "-w", "start",
        ];
        await PgAsync("pg_ctl", start);

        var stopped = false;
        async Task StopAsync()
        {
            await PgAsync("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
            stopped = true;
        }

        async Task StartAgainAsync()
        {
            await PgAsync("pg_ctl", start);
            stopped = false;
        }

        return new PostgresServer(
            $"private local PostgreSQL server ({bin}) on 127.0.0.1:{port}",
            $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres",
            async () =>
            {
                if (!stopped)
                {
                    await StopAsync();
                }

                Directory.Delete(root, recursive: true);
            },
            StopAsync,
            StartAgainAsync);
    }

    /// <summary>
    /// The folders of earlier runs whose server is stopped: the test process may end before it has deleted its
    /// own. A folder is left alone while its server runs (postmaster.pid) and for its first minutes.
    /// </summary>
    private static void RemoveStoppedServers()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "predictions-postgres-*"))
        {
            try
            {
                if (Directory.GetCreationTimeUtc(folder) < DateTime.UtcNow.AddMinutes(-10)
                    && !File.Exists(Path.Combine(folder, "data", "postmaster.pid")))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another user's, or being deleted right now: not ours to insist on.
            }
        }
    }

    /// <summary>The newest installed version's bin folder, or null when none is installed.</summary>
    private static string? Binaries() =>
        Directory.Exists(Installations)
            ? Directory.GetDirectories(Installations)
                .Select(folder => Path.Combine(folder, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : 0)
                .FirstOrDefault()
            : null;

    private static async Task RunAsync(string file, string[] arguments, string root)
    {
        var run = await Command.RunAsync(file, arguments, new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed (see {root}/log): {run.Output}");
        }
    }
}
