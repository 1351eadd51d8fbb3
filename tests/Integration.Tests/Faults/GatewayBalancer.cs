namespace Predictions.Integration.Tests.Faults;

/// <summary>
/// Several gateways as clients behind a load balancer see them: each client has a gateway of its own, and a
/// gateway that broke a connection is passed over for a moment, so its clients go to the next one and come
/// back once it answers again.
/// </summary>
public sealed class GatewayBalancer(IReadOnlyList<HttpClient> gateways)
{
    /// <summary>How long a gateway that broke a connection is passed over, as a balancer's passive health check would.</summary>
    private static readonly TimeSpan PassOver = TimeSpan.FromSeconds(1);

    private readonly long[] _downUntil = new long[gateways.Count];

    public int Count => gateways.Count;

    public HttpClient this[int gateway] => gateways[gateway];

    /// <summary>The gateway for a client's next request: its own, unless that one is passed over.</summary>
    public int Pick(int client)
    {
        var now = Environment.TickCount64;
        for (var step = 0; step < gateways.Count; step++)
        {
            var gateway = (client + step) % gateways.Count;
            if (Volatile.Read(ref _downUntil[gateway]) <= now)
            {
                return gateway;
            }
        }

        return client % gateways.Count;
    }

    /// <summary>The gateway broke a connection (refused, reset): its clients try another for a moment.</summary>
    public void PassOverFor(int gateway) =>
        Volatile.Write(ref _downUntil[gateway], Environment.TickCount64 + (long)PassOver.TotalMilliseconds);
}
