using System.Diagnostics;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Cluster;

/// <summary>The node that led a quorum queue, killed; the node that leads it now; and the time since the kill.</summary>
public sealed record LeaderLoss(int Killed, int Elected, TimeSpan ElectedAfter, Stopwatch SinceKill)
{
    /// <summary>Kills the node leading <paramref name="queue"/> and waits until another node leads it.</summary>
    public static async Task<LeaderLoss> KillLeaderAsync(LocalRabbitMqCluster cluster, string virtualHost, string queue, TimeSpan timeout)
    {
        var leader = await cluster.LeaderOfAsync(virtualHost, queue) ?? throw new InvalidOperationException($"{queue} has no leader.");
        var sinceKill = Stopwatch.StartNew();
        await cluster.KillNodeAsync(leader);
        int? elected = null;
        await Eventually.HoldsAsync(
            async () => (elected = await cluster.LeaderOfAsync(virtualHost, queue)) is { } now && now != leader,
            timeout,
            () => $"No node took over {queue} from {cluster.NodeNames[leader]}.");
        return new LeaderLoss(leader, elected!.Value, sinceKill.Elapsed, sinceKill);
    }

    public string Describe(LocalRabbitMqCluster cluster, string queue) =>
        $"Killed {cluster.NodeNames[Killed]}, which led {queue}; {cluster.NodeNames[Elected]} led it {ElectedAfter.TotalSeconds:0.0} s later";
}
