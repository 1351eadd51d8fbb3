using Predictions.Harness;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>
/// One real RabbitMQ 4.x broker for the whole run (see <see cref="BrokerLocator"/>); each test takes a virtual host of it.
/// </summary>
public class BrokerFixture : IAsyncLifetime
{
    private RabbitMqBroker? _broker;

    public RabbitMqBroker Broker => _broker ?? throw new InvalidOperationException("The broker fixture has not started.");

    protected virtual RabbitMqSeries Series => RabbitMqSeries.Four;

    public async Task InitializeAsync() => _broker = await BrokerLocator.FindAsync(Series);

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "broker";
}

/// <summary>
/// The tests that stop, restart, kill or block the broker get a node of their own, so the other collection's
/// tests run beside them on theirs and never see an outage they did not cause.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FaultBrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "broker for faults";
}

/// <summary>A RabbitMQ 3.x broker, for the tests that prove what a version changes.</summary>
public sealed class RabbitMq3Fixture : BrokerFixture
{
    protected override RabbitMqSeries Series => RabbitMqSeries.Three;
}

/// <summary>
/// The tests that also run on RabbitMQ 3.x: how a quorum queue counts deliveries (crash isolation and the delivery limit
/// lean on it), the queue arguments the services declare, and a whole prediction through the topology.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RabbitMq3Collection : ICollectionFixture<RabbitMq3Fixture>
{
    public const string Name = "broker 3.x";
}
