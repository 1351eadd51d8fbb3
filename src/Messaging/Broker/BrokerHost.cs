using System.Globalization;

namespace Predictions.Messaging.Broker;

/// <summary>One node of <see cref="BrokerAddress"/>: a host name or IP address and its AMQP port.</summary>
public sealed record BrokerHost(string Name, int Port)
{
    public static BrokerHost? TryParse(string entry, int defaultPort)
    {
        // An IPv6 address is bracketed: [::1]:5672.
        var portSeparator = entry.StartsWith('[') ? entry.IndexOf("]:", StringComparison.Ordinal) + 1 : entry.LastIndexOf(':');
        var name = portSeparator > 0 ? entry[..portSeparator] : entry;
        var port = defaultPort;
        if (portSeparator > 0 && !int.TryParse(entry[(portSeparator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            return null;
        }

        return name.Length > 0 && port is > 0 and <= 65535 && Uri.CheckHostName(name.Trim('[', ']')) != UriHostNameType.Unknown
            ? new BrokerHost(name, port)
            : null;
    }

    public override string ToString() => $"{Name}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
