namespace Predictions.Messaging.Broker;

/// <summary>
/// <c>ConnectionStrings:RabbitMq</c> read: <c>amqp[s]://user:password@host1:port1,host2:port2/vhost</c>, one host or
/// the nodes of a cluster. The first host is where a client connects first; each one is a full entry point.
/// </summary>
public sealed record BrokerAddress(bool Tls, string UserName, string Password, IReadOnlyList<BrokerHost> Hosts, string VirtualHost)
{
    public const int AmqpPort = 5672;

    public const int AmqpsPort = 5671;

    /// <summary>The URI of the first host alone, credentials and virtual host included, as MassTransit's <c>Host</c> takes it.</summary>
    public Uri FirstHostUri => new($"{(Tls ? "amqps" : "amqp")}://{Uri.EscapeDataString(UserName)}:{Uri.EscapeDataString(Password)}"
        + $"@{Hosts[0]}/{Uri.EscapeDataString(VirtualHost)}");

    /// <summary>
    /// Reads <paramref name="value"/>, or returns null and says in <paramref name="error"/> what is wrong with it,
    /// never repeating the password.
    /// </summary>
    public static BrokerAddress? TryParse(string? value, out string? error)
    {
        error = null;
        var schemeEnd = value?.IndexOf("://", StringComparison.Ordinal) ?? -1;
        var scheme = schemeEnd > 0 ? value![..schemeEnd].ToLowerInvariant() : null;
        if (scheme is not ("amqp" or "amqps"))
        {
            error = "must start with amqp:// or amqps://";
            return null;
        }

        var rest = value![(schemeEnd + 3)..];
        var pathStart = rest.IndexOfAny(['/', '?']);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        var path = pathStart < 0 || rest[pathStart] == '?' ? "" : rest[(pathStart + 1)..].Split('?')[0];

        var at = authority.LastIndexOf('@');
        var userInfo = at < 0 ? "" : authority[..at];
        var credentials = userInfo.Split(':', 2);
        var user = credentials[0].Length > 0 ? Uri.UnescapeDataString(credentials[0]) : "guest";
        var password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest";

        var hosts = new List<BrokerHost>();
        var defaultPort = scheme == "amqps" ? AmqpsPort : AmqpPort;
        var entries = authority[(at + 1)..].Split(',');
        for (var i = 0; i < entries.Length; i++)
        {
            // Not echoed: a password with an unescaped '/' would land here.
            if (BrokerHost.TryParse(entries[i].Trim(), defaultPort) is not { } host)
            {
                error = $"has a host that is not host or host:port (host {i + 1} of {entries.Length})";
                return null;
            }

            hosts.Add(host);
        }

        if (path.Contains('/', StringComparison.Ordinal))
        {
            error = "may name one virtual host only, after the hosts (…/vhost; %2F for the default '/')";
            return null;
        }

        return new BrokerAddress(scheme == "amqps", user, password, hosts, path.Length == 0 ? "/" : Uri.UnescapeDataString(path));
    }

    /// <summary>The address with the password masked, for logs and error messages.</summary>
    public override string ToString() =>
        $"{(Tls ? "amqps" : "amqp")}://{Uri.EscapeDataString(UserName)}:***@{string.Join(',', Hosts)}/{Uri.EscapeDataString(VirtualHost)}";
}
