using Predictions.Harness;

namespace Predictions.Integration.Tests.Cluster;

/// <summary>
/// A three-node cluster (see <see cref="LocalRabbitMqCluster"/>) of a test class's own, stopped at its end: a class's
/// node losses start from a cluster no earlier class has killed nodes of.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private LocalRabbitMqCluster? _cluster;

    public LocalRabbitMqCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster fixture has not started.");

    public async Task InitializeAsync() => _cluster = await LocalRabbitMqCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>The cluster tests, one class at a time: each runs three nodes and a whole system.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
