using Predictions.Harness;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>One real broker for the whole run (see <see cref="BrokerLocator"/>); each test takes a virtual host of it.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private RabbitMqBroker? _broker;

    public RabbitMqBroker Broker => _broker ?? throw new InvalidOperationException("The broker fixture has not started.");

    public async Task InitializeAsync() => _broker = await BrokerLocator.FindAsync();

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
