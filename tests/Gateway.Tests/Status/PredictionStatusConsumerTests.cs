using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Predictions.Contracts;
using Predictions.Gateway.Backpressure;
using Predictions.Gateway.Rollouts;
using Predictions.Gateway.Status;
using Predictions.Gateway.Stores;
using Predictions.Messaging.Outages;
using Predictions.ServiceDefaults.Resilience;
using Predictions.Storage;
using Predictions.Storage.Sqlite;

namespace Predictions.Gateway.Tests.Status;

/// <summary>The status consumer answers callers with their predictions' outcomes, and never with a shadow copy's.</summary>
public sealed class PredictionStatusConsumerTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("status-consumer-").FullName;
    private ServiceProvider _provider = null!;

    public Task InitializeAsync()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddKeyedSingleton<StoreDatabase>(ResultsDatabase.Name, (_, _) =>
                new SqliteDatabase($"Data Source={Path.Combine(_folder, "results.db")}", [PredictionStatusSchema.Store]))
            .AddSingleton<PredictionStatusStore>()
            .AddSingleton<PredictionWaiters>()
            .AddSingleton<DrainRate>()
            .AddSingleton<VersionStatistics>()
            .AddSingleton<OutageWait>();
        services.AddOptions<OutageOptions>();
        services.AddOptions<GuardOptions>();
        services.AddRetryPolicy(RetryPolicies.OutageWaits);
        services.AddMassTransitTestHarness(bus => bus.AddConsumer<PredictionStatusConsumer>(consumer =>
            consumer.Options<BatchOptions>(batch => batch.SetMessageLimit(10).SetTimeLimit(TimeSpan.FromMilliseconds(50)))));
        _provider = services.BuildServiceProvider(validateScopes: true);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_shadow_outcome_is_consumed_but_neither_stored_nor_handed_to_a_waiter_while_its_original_is_both()
    {
        var harness = _provider.GetRequiredService<ITestHarness>();
        var (store, waiters) = (_provider.GetRequiredService<PredictionStatusStore>(), _provider.GetRequiredService<PredictionWaiters>());
        await harness.Start();
        var original = Completed(Guid.NewGuid(), route: "canary", shadowOf: null);
        var shadow = Completed(Guid.NewGuid(), route: "shadow", shadowOf: original.PredictionId);
        var unmarked = Completed(Guid.NewGuid(), route: "shadow", shadowOf: null);
        using var originalWaiter = waiters.Register(original.PredictionId);
        using var shadowWaiter = waiters.Register(shadow.PredictionId);

        await harness.Bus.PublishBatch([original, shadow, unmarked]);

        var answered = await originalWaiter.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Equal("canary", answered?.Route);
        Assert.True(await harness.Consumed.Any<PredictionCompleted>(m => m.Context.Message.PredictionId == shadow.PredictionId));
        Assert.True(await harness.Consumed.Any<PredictionCompleted>(m => m.Context.Message.PredictionId == unmarked.PredictionId));
        Assert.False(await harness.Consumed.Any<PredictionCompleted>(m => m.Exception is not null));
        Assert.Null(await shadowWaiter.WaitAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.Null(await store.FindAsync(shadow.PredictionId, reader: null, CancellationToken.None));
        Assert.Null(await store.FindAsync(unmarked.PredictionId, reader: null, CancellationToken.None));
        Assert.Equal(PredictionStatus.Completed, (await store.FindAsync(original.PredictionId, reader: null, CancellationToken.None))?.Status);
    }

    private static PredictionCompleted Completed(Guid id, string route, Guid? shadowOf) => new()
    {
        PredictionId = id,
        ItemId = 3,
        FeatureValue = 5,
        Metadata = new Dictionary<string, double> { ["price"] = 2.5 },
        Prediction = 10,
        CompletedAt = DateTimeOffset.UtcNow,
        Worker = "w",
        Model = new ModelIdentity { Name = "item-scorer", Version = "3" },
        Route = route,
        ShadowOf = shadowOf,
        Timings = new PredictionTimings { ReceivedAt = DateTimeOffset.UtcNow },
    };
}
