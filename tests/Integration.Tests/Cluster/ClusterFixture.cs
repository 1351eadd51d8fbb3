using Predictions.Harness;

namespace Predictions.Integration.Tests.Cluster;

/// <summary>One three-node cluster (see <see cref="LocalRabbitMqCluster"/>) for the tests of a collection, stopped at its end.</summary>
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

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
