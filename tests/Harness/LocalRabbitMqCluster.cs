using System.Net.Http.Json;
using System.Text.Json;

namespace Predictions.Harness;

/// <summary>
/// Three RabbitMQ 4.x nodes clustered on this machine, each a private node of the local installation (see
/// <see cref="RabbitMqInstallation"/>) with its own ports and data and one shared Erlang cookie; or, where
/// <c>RABBITMQ_CLUSTER_URL</c> is set, a cluster run elsewhere, which the tests may use but not kill. <see cref="Broker"/>
/// hands out a virtual host per test.
/// </summary>
public sealed class LocalRabbitMqCluster : IAsyncDisposable
{
    public const int Size = 3;

    private readonly RabbitMqNode[] _nodes;
    private readonly string? _root;
    private readonly HttpClient _management = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly HashSet<int> _killed = [];

    private LocalRabbitMqCluster(RabbitMqBroker broker, RabbitMqNode[] nodes, string? root)
    {
        Broker = broker;
        _nodes = nodes;
        _root = root;
        _management.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
    }

    /// <summary>
    /// The cluster as a broker: its first node's management API, and every node's address in each virtual host's connection string.
    /// </summary>
    public RabbitMqBroker Broker { get; }

    /// <summary>The Erlang names of the nodes, e.g. <c>ra@localhost</c>, in the order of the connection string.</summary>
    public IReadOnlyList<string> NodeNames => [.. _nodes.Select(n => n.Name)];

    public static async Task<LocalRabbitMqCluster> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("RABBITMQ_CLUSTER_URL") is { Length: > 0 } external)
        {
            return External(external);
        }

        var series = RabbitMqSeries.Four;
        if (series.Installation.Missing is { } missing)
        {
            throw new InvalidOperationException(
                $"A {series} cluster is needed and none was found: "
                + "set RABBITMQ_CLUSTER_URL=amqp://user:password@host1:5672,host2:5672,host3:5672/ (and RABBITMQ_CLUSTER_MANAGEMENT_URL), "
                + $"or {missing}, so three private nodes can be started.");
        }

        var root = series.Installation.CreateNodeFolder("predictions-rabbitmq-cluster-");
        var cookie = Guid.NewGuid().ToString("N");
        var nodes = Enumerable.Range(0, Size)
            .Select(i =>
            {
                var letter = (char)('a' + i);
                var folder = Directory.CreateDirectory(Path.Combine(root, letter.ToString())).FullName;
                return RabbitMqNode.Create(series, folder, $"predictions-cluster-{Environment.ProcessId}-{letter}@localhost", cookie);
            })
            .ToArray();
        var cluster = new LocalRabbitMqCluster(
            new RabbitMqBroker(
                $"three private {series} nodes clustered ({string.Join(", ", nodes.Select(n => n.Name))})",
                nodes[0].Amqp,
                nodes[0].Management,
                "guest",
                "guest",
                () => ValueTask.CompletedTask,
                nodes: [.. nodes.Select(n => n.Amqp)],
                prometheus: [.. nodes.Select(n => n.Prometheus)]),
            nodes,
            root);
        try
        {
            // One after the other: three Erlang VMs booting at once on two busy cores have outlasted a start-up wait.
            foreach (var node in nodes)
            {
                await node.StartAsync();
            }

            // Each rabbitmqctl call costs an Erlang start-up: the resets run side by side. The joins run one after
            // the other: two nodes joining at once sometimes abort the first node's schema copy (mnesia's
            // sync_dump_log, seen on 3.10.8).
            await Task.WhenAll(nodes.Skip(1).Select(async n =>
            {
                await n.CtlAsync(["stop_app"]);
                await n.CtlAsync(["reset"]);
            }));
            foreach (var node in nodes.Skip(1))
            {
                await node.CtlAsync(["join_cluster", nodes[0].Name]);
                await node.CtlAsync(["start_app"]);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Kills the node's Erlang VM (SIGKILL): no goodbye to any client or to the other nodes.</summary>
    public async Task KillNodeAsync(int node)
    {
        await Local(node).KillAsync();
        _killed.Add(node);
    }

    /// <summary>Starts a killed node again on its own data; it rejoins the cluster by itself.</summary>
    public async Task StartNodeAsync(int node)
    {
        await Local(node).StartAsync();
        _killed.Remove(node);
    }

    /// <summary>Starts every node still down, so a test begins on the whole cluster whatever the one before it left.</summary>
    public async Task StartKilledNodesAsync()
    {
        foreach (var node in _killed.ToList())
        {
            await StartNodeAsync(node);
        }
    }

    /// <summary>
    /// The index of the node leading a quorum queue, and the indexes of its members online, from the management API of any node
    /// that answers; null while no node knows a leader (an election running).
    /// </summary>
    public async Task<(int Leader, IReadOnlyList<int> Members)?> QueueLeadershipAsync(string virtualHost, string queue)
    {
        foreach (var node in _nodes)
        {
            try
            {
                var state = await _management.GetFromJsonAsync<JsonElement>(
                    new Uri(node.Management, $"api/queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}"));
                if (state.TryGetProperty("leader", out var leader) && leader.GetString() is { } name && IndexOf(name) is { } index)
                {
                    // The members that are online: "members" still names a node that is down.
                    var members = state.TryGetProperty("online", out var list) || state.TryGetProperty("members", out list)
                        ? list.EnumerateArray().Select(m => IndexOf(m.GetString()!) ?? -1).ToList()
                        : [];
                    return (index, members);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // That node is down: ask the next.
            }
        }

        return null;
    }

    /// <summary>
    /// Moves the leadership of a quorum queue off <paramref name="node"/>: its member there is removed, so the others elect a
    /// leader, and added again as a follower; returns once the queue has all its members and another leader.
    /// </summary>
    public async Task MoveLeaderOffAsync(string virtualHost, string queue, int node, TimeSpan timeout)
    {
        var other = Local((node + 1) % Size);
        await other.QueuesAsync(["delete_member", "-p", virtualHost, queue, _nodes[node].Name]);
        await other.QueuesAsync(["add_member", "-p", virtualHost, queue, _nodes[node].Name]);
        var deadline = DateTime.UtcNow + timeout;
        while (await QueueLeadershipAsync(virtualHost, queue) is not { } now || now.Leader == node || now.Members.Count != Size)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{queue} got no leader other than {_nodes[node].Name} with all {Size} members within {timeout}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>The index of the node leading a quorum queue; null while none does.</summary>
    public async Task<int?> LeaderOfAsync(string virtualHost, string queue) => (await QueueLeadershipAsync(virtualHost, queue))?.Leader;

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        await Broker.DisposeAsync();
        await Task.WhenAll(_nodes.Select(n => n.StopAsync()));
        if (_root is not null)
        {
            LocalRabbitMqNode.TryDelete(_root);
        }
    }

    private int? IndexOf(string name) => Array.FindIndex(_nodes, n => n.Name == name) is var i and >= 0 ? i : null;

    private RabbitMqNode Local(int node) => _root is not null
        ? _nodes[node]
        : throw new InvalidOperationException("This test kills and starts cluster nodes, which it may do only to a cluster the tests started; "
            + "unset RABBITMQ_CLUSTER_URL to let them start their own.");

    private static LocalRabbitMqCluster External(string url)
    {
        // amqp://user:password@host1:port1,host2:port2/ : every node's host, the first host's management API.
        var at = url.LastIndexOf('@');
        var scheme = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var credentials = (at > scheme ? url[scheme..at] : "guest:guest").Split(':', 2);
        var hosts = url[(Math.Max(at, scheme - 1) + 1)..].Split('/')[0].Split(',');
        var nodes = hosts.Select(h => RabbitMqNode.External(new Uri($"{url[..scheme]}{h}/"))).ToArray();
        var management = Environment.GetEnvironmentVariable("RABBITMQ_CLUSTER_MANAGEMENT_URL") is { Length: > 0 } given
            ? new Uri(given)
            : nodes[0].Management;
        return new LocalRabbitMqCluster(
            new RabbitMqBroker($"RABBITMQ_CLUSTER_URL {string.Join(',', hosts)}", nodes[0].Amqp, management,
                Uri.UnescapeDataString(credentials[0]), Uri.UnescapeDataString(credentials.ElementAtOrDefault(1) ?? "guest"),
                () => ValueTask.CompletedTask, nodes: [.. nodes.Select(n => n.Amqp)], prometheus: [.. nodes.Select(n => n.Prometheus)]),
            nodes,
            root: null);
    }
}
