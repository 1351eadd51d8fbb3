using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Predictions.Messaging.Stores;
using Predictions.ServiceDefaults.Resilience;

namespace Predictions.Messaging.Tests.Stores;

/// <summary>A store write that keeps failing for a reason other than an outage is tried as <c>Retries:StoreWrites</c> says.</summary>
public sealed class StoreRetryTests
{
    [Theory]
    [InlineData("00:00:00.01", 2)]
    [InlineData("00:00:00.01,00:00:00.01,00:00:00.01,00:00:00.01,00:00:00.01", 6)]
    public async Task A_failing_write_is_tried_once_and_once_more_per_configured_pause(string pauses, int tries)
    {
        var writes = new FailingWrites();
        var settings = new Dictionary<string, string?> { ["Retries:StoreWrites:Intervals"] = pauses };
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddSingleton(writes);
        services.AddRetryPolicy(RetryPolicies.StoreWrites);
        services.AddMassTransitTestHarness(bus => bus.AddConsumer<FailingWriteConsumer, FailingWriteConsumerDefinition>());
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(new StoreThis(Guid.NewGuid()));

        Assert.True(await harness.Consumed.Any<StoreThis>(consumed => consumed.Exception is InvalidOperationException));
        Assert.Equal(tries, writes.Tries);
    }

    public sealed record StoreThis(Guid Id);

    public sealed class FailingWrites
    {
        private int _tries;

        public int Tries => Volatile.Read(ref _tries);

        public void Try() => Interlocked.Increment(ref _tries);
    }

    public sealed class FailingWriteConsumer(FailingWrites writes) : IConsumer<StoreThis>
    {
        public Task Consume(ConsumeContext<StoreThis> context)
        {
            writes.Try();
            throw new InvalidOperationException("a constraint the row breaks");
        }
    }

    public sealed class FailingWriteConsumerDefinition : ConsumerDefinition<FailingWriteConsumer>
    {
        protected override void ConfigureConsumer(
            IReceiveEndpointConfigurator endpointConfigurator,
            IConsumerConfigurator<FailingWriteConsumer> consumerConfigurator,
            IRegistrationContext context) => endpointConfigurator.UseStoreRetry(context);
    }
}
