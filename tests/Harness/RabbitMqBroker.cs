using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Predictions.Harness;

/// <summary>
/// A running RabbitMQ broker with its management API. Each test gets a virtual host of its own, so
/// tests never see each other's queues and nothing needs cleaning between them.
/// </summary>
/// <remarks>
/// A cluster's broker has the AMQP address of each of its nodes in <paramref name="nodes"/>; <paramref name="amqp"/> and
/// <paramref name="management"/> are its first node's.
/// </remarks>
public sealed class RabbitMqBroker(string description, Uri amqp, Uri management, string user, string password, Func<ValueTask> stop,
    int? processId = null, BrokerControl? control = null, IReadOnlyList<Uri>? nodes = null, IReadOnlyList<Uri>? prometheus = null)
    : IAsyncDisposable
{
    private readonly HttpClient _management = CreateManagementClient(management, user, password);
    private readonly HttpClient _prometheus = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly IReadOnlyList<Uri> _scrapes = prometheus ?? [new Uri($"http://{management.Host}:15692/")];
    private int _virtualHosts;

    /// <summary>Where this broker came from, for test output.</summary>
    public string Description { get; } = description;

    public Uri ManagementUri { get; } = management;

    /// <summary>The broker's administrator, who creates the virtual hosts (and users, for tests that need their own).</summary>
    public string User { get; } = user;

    public string Password { get; } = password;

    /// <summary>The broker's OS process when it runs on this machine under our control (a private local node).</summary>
    public int? ProcessId { get; } = processId;

    /// <summary>Stops and starts the broker, for fault tests; only a broker the tests started can be controlled.</summary>
    public BrokerControl Control => control ?? throw new InvalidOperationException(
        $"This test stops and restarts the broker, which it may do only to a broker the tests started; {Description} is not one. "
        + "Unset RABBITMQ_URL to let the tests start their own.");

    /// <summary>Creates an empty virtual host with full permissions for the broker's user.</summary>
    public async Task<BrokerVirtualHost> CreateVirtualHostAsync()
    {
        var name = $"test-{Environment.ProcessId}-{Interlocked.Increment(ref _virtualHosts)}-{Guid.NewGuid():N}"[..40];
        var vhost = Uri.EscapeDataString(name);
        (await _management.PutAsync($"api/vhosts/{vhost}", Json("{}"))).EnsureSuccessStatusCode();
        await SetWritePermissionAsync(name, User, write: ".*");

        Uri InVirtualHost(Uri node) =>
            new UriBuilder(node) { UserName = Uri.EscapeDataString(User), Password = Uri.EscapeDataString(Password), Path = "/" + vhost }.Uri;
        return new BrokerVirtualHost(this, name, InVirtualHost(amqp), () => DeleteVirtualHostAsync(vhost), nodes?.Select(InVirtualHost).ToList());
    }

    /// <summary>
    /// Sets which resources <paramref name="user"/> may write to in a virtual host (a regular expression over
    /// their names; configure and read stay open). RabbitMQ may cache a channel's access checks, so only new
    /// channels are sure to see the change.
    /// </summary>
    public async Task SetWritePermissionAsync(string virtualHost, string user, string write)
    {
        using var response = await _management.PutAsync(
            $"api/permissions/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(user)}",
            Json($$"""{"configure":".*","write":"{{write}}","read":".*"}"""));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>What <paramref name="user"/> may configure, write and read in a virtual host (regular expressions over names).</summary>
    public async Task<Permissions> GetPermissionsAsync(string virtualHost, string user) =>
        (await _management.GetFromJsonAsync<Permissions>($"api/permissions/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(user)}"))!;

    /// <summary>
    /// Sets what <paramref name="user"/> may do in a virtual host. RabbitMQ may cache a channel's access checks, so only
    /// new channels are sure to see the change.
    /// </summary>
    public async Task SetPermissionsAsync(string virtualHost, string user, Permissions permissions)
    {
        using var response = await _management.PutAsJsonAsync(
            $"api/permissions/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(user)}", permissions);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Closes, as a network failure would, the connections <paramref name="user"/> opened under a client-given name that
    /// ends with <paramref name="nameEnding"/>; returns how many. A new connection is listed a moment late.
    /// </summary>
    public async Task<int> CloseConnectionsAsync(string user, string nameEnding)
    {
        var closed = 0;
        foreach (var (connection, owner, clientName) in await ListConnectionsAsync())
        {
            if (owner == user && clientName?.EndsWith(nameEnding, StringComparison.Ordinal) == true)
            {
                using var response = await _management.DeleteAsync($"api/connections/{Uri.EscapeDataString(connection)}");
                response.EnsureSuccessStatusCode();
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Reads the management API: definitions and connections; on 4.x it counts no messages (a deprecated feature).</summary>
    public Task<T?> GetAsync<T>(string path) => _management.GetFromJsonAsync<T>(path);

    /// <summary>
    /// The messages in each queue of a virtual host, ready and unacknowledged, from the Prometheus plugin, which every
    /// series serves; a node counts the queues it leads, refreshed every statistics interval (a second on the tests' nodes).
    /// On a cluster every node that answers is asked; with none answering it throws.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, QueueDepth>> QueueDepthsAsync(string virtualHost)
    {
        var query = $"metrics/detailed?vhost={Uri.EscapeDataString(virtualHost)}&family=queue_coarse_metrics";
        var depths = new Dictionary<string, QueueDepth>();
        var failures = new List<Exception>();
        foreach (var node in _scrapes)
        {
            try
            {
                foreach (var (queue, depth) in QueueDepth.Parse(await _prometheus.GetStringAsync(new Uri(node, query)), virtualHost))
                {
                    depths[queue] = depths.TryGetValue(queue, out var other) && other.Total > depth.Total ? other : depth;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                failures.Add(ex);
            }
        }

        return failures.Count < _scrapes.Count ? depths : throw new AggregateException("No node's Prometheus plugin answered.", failures);
    }

    /// <summary>Deletes a user, if it exists: users belong to the whole broker, not to one virtual host.</summary>
    public async Task DeleteUserAsync(string name)
    {
        using var response = await _management.DeleteAsync($"api/users/{Uri.EscapeDataString(name)}");
        if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    // On 4.x the management API lists no client properties (a deprecated metric): rabbitmqctl does, where the tests run the node.
    private async Task<IReadOnlyList<(string Name, string User, string? ClientName)>> ListConnectionsAsync()
    {
        var listed = control is not null
            ? JsonDocument.Parse(await control.QueryAsync("list_connections", "name", "user", "client_properties", "--formatter", "json"))
                .RootElement.EnumerateArray()
                .Select(c => (
                    c.GetProperty("name").GetString()!, c.GetProperty("user").GetString()!, ConnectionName(c.GetProperty("client_properties"))))
            : (await _management.GetFromJsonAsync<JsonElement>("api/connections")).EnumerateArray()
                .Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("user").GetString()!,
                    c.TryGetProperty("client_properties", out var client) && client.TryGetProperty("connection_name", out var name)
                        ? name.GetString()
                        : null));
        return [.. listed];

        // rabbitmqctl lists client properties as [name, type, value] triples.
        static string? ConnectionName(JsonElement properties) => properties.EnumerateArray()
            .Where(p => p[0].GetString() == "connection_name").Select(p => p[2].GetString()).FirstOrDefault();
    }

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        _prometheus.Dispose();
        await stop();
    }

    private async Task DeleteVirtualHostAsync(string vhost)
    {
        try
        {
            using var response = await _management.DeleteAsync($"api/vhosts/{vhost}");
        }
        catch (HttpRequestException)
        {
            // A broker a fault test left down: the test's own failure says why; don't mask it.
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpClient CreateManagementClient(Uri management, string user, string password)
    {
        var client = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }
}

/// <summary>A user's permissions in a virtual host, as the management API reads and writes them (in camel case).</summary>
public sealed record Permissions(string Configure, string Write, string Read);
