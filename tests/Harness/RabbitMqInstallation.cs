namespace Predictions.Harness;

/// <summary>
/// A <c>rabbitmq-server</c> package this machine can start private nodes from: Debian 12's (3.10) on the host, or
/// Debian 13's (4.0) in a Debian 13 root entered with <c>chroot</c>, which <c>scripts/rabbitmq4.sh</c> makes.
/// </summary>
/// <remarks>
/// The root shares the host's <c>/tmp</c> (a bind mount), so a node's folder, certificates and logs have the same path
/// inside and out, and its network, so the tests reach its ports on 127.0.0.1.
/// </remarks>
public sealed class RabbitMqInstallation
{
    /// <summary>What RabbitMQ 4.3 refuses by default and 4.0 still permits: denied, so the suite sees what later 4.x sees.</summary>
    public const string DenyDeprecatedFeatures = """
        deprecated_features.permit.transient_nonexcl_queues = false
        deprecated_features.permit.management_metrics_collection = false
        deprecated_features.permit.global_qos = false
        deprecated_features.permit.queue_master_locator = false
        deprecated_features.permit.ram_node_type = false
        """;

    public static readonly RabbitMqInstallation Debian12 = new("Debian's rabbitmq-server package", root: null);

    public static readonly RabbitMqInstallation Debian13 = new(
        "Debian 13's rabbitmq-server package in a Debian 13 root",
        Environment.GetEnvironmentVariable("RABBITMQ4_ROOT") is { Length: > 0 } root ? root : "/opt/trixie");

    private const string ServerProgram = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string CtlProgram = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private const string QueuesProgram = "/usr/lib/rabbitmq/bin/rabbitmq-queues";

    private readonly Lazy<string?> _missing;

    private RabbitMqInstallation(string description, string? root)
    {
        Description = root is null ? description : $"{description} at {root}";
        Root = root;
        _missing = new Lazy<string?>(FindWhatIsMissing);
    }

    public string Description { get; }

    /// <summary>The Debian root the package is installed in; null for the host's own.</summary>
    public string? Root { get; }

    /// <summary>
    /// Why no node can be started from here (not installed, or the root lacks its mounts); null when one can. Looked at once,
    /// on first use: every broker and node the tests start asks.
    /// </summary>
    public string? Missing => _missing.Value;

    /// <summary>Where node folders go: a folder both the host and the root see under the same path.</summary>
    public string CreateNodeFolder(string prefix) =>
        Root is null ? Directory.CreateTempSubdirectory(prefix).FullName : CreateSharedFolder(prefix);

    /// <summary>rabbitmq-server, as a file to run and its arguments.</summary>
    public (string File, IReadOnlyList<string> Arguments) Server(IEnumerable<string> arguments) => Command(ServerProgram, arguments);

    /// <summary>rabbitmqctl, as a file to run and its arguments.</summary>
    public (string File, IReadOnlyList<string> Arguments) Ctl(IEnumerable<string> arguments) => Command(CtlProgram, arguments);

    /// <summary>rabbitmq-queues (quorum queue membership), as a file to run and its arguments.</summary>
    public (string File, IReadOnlyList<string> Arguments) Queues(IEnumerable<string> arguments) => Command(QueuesProgram, arguments);

    private (string File, IReadOnlyList<string> Arguments) Command(string program, IEnumerable<string> arguments) =>
        Root is null ? (program, [.. arguments]) : ("/usr/sbin/chroot", [Root, program, .. arguments]);

    private string OnHost(string path) => Root is null ? path : Root + path;

    private string? FindWhatIsMissing()
    {
        if (!File.Exists(OnHost(ServerProgram)) || !File.Exists(OnHost(CtlProgram)))
        {
            return Root is null
                ? "install Debian's rabbitmq-server package (sudo apt-get install rabbitmq-server); ./test.sh does this when run as root"
                : $"no RabbitMQ 4 in {Root}: run scripts/rabbitmq4.sh as root (about 4 minutes; ./test.sh does it when run as root)";
        }

        return Root is null || (Directory.Exists(OnHost("/proc/self")) && SharesTemp())
            ? null
            : $"{Root} lacks its mounts of /proc, /sys, /dev and /tmp (gone after a reboot): run scripts/rabbitmq4.sh as root";
    }

    private bool SharesTemp()
    {
        var probe = CreateSharedFolder("predictions-root-probe-");
        try
        {
            return Directory.Exists(OnHost(probe));
        }
        finally
        {
            Directory.Delete(probe);
        }
    }

    // Under /tmp itself, not TMPDIR: the root's bind mount is of /tmp.
    private static string CreateSharedFolder(string prefix) =>
        Directory.CreateDirectory(Path.Combine("/tmp", prefix + Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal))).FullName;
}
