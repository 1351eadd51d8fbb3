using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Predictions.Messaging.Catalog;
using Predictions.Worker.CrashRecovery;
using Predictions.Worker.Lanes;
using Predictions.Worker.Models;
using Predictions.Worker.Pipeline;
using Predictions.Worker.Rollouts;

namespace Predictions.Worker.Tests;

/// <summary>Lanes for tests of one consumer on MassTransit's in-memory harness.</summary>
public static class TestLanes
{
    /// <summary>The model alone, in the default lane, as a worker without a catalog serves it.</summary>
    public static ServedLanes One(IPredictionModel model, int? maxBatchSize = null) =>
        new([new ServedLane(0, model, isDefault: true, maxBatchSize, share: 1)], model.Identity, ModelCatalog.Empty);

    /// <summary>
    /// Where the request consumer places each request (<see cref="LaneRouting"/>), as a worker without a catalog does:
    /// no rollout, so the lanes choose.
    /// </summary>
    public static IServiceCollection AddLaneRouting(this IServiceCollection services)
    {
        services.AddOptions<ModelsOptions>();
        return services.AddSingleton<LaneRouting>();
    }

    /// <summary>
    /// The lanes' endpoints as <see cref="LaneEndpoints"/> makes them on RabbitMQ, less what only RabbitMQ has (queue
    /// arguments, bindings by routing key): the request consumers are left out of MassTransit's own endpoint configuration.
    /// </summary>
    public static void ConfigureEndpoints(IBusRegistrationContext context, IInMemoryBusFactoryConfigurator bus, bool consumesSuspects = false)
    {
        var everyEndpoint = context.GetConfigureReceiveEndpoints();
        foreach (var lane in context.GetRequiredService<ServedLanes>().All)
        {
            bus.ReceiveEndpoint(lane.Queue, endpoint =>
            {
                everyEndpoint.Configure(lane.Queue, endpoint);
                endpoint.ConfigureConsumer<PredictionRequestConsumer>(context, consumer => consumer.ConcurrentMessageLimit = 32);
            });
            if (consumesSuspects)
            {
                bus.ReceiveEndpoint(lane.SuspectQueue, endpoint =>
                {
                    everyEndpoint.Configure(lane.SuspectQueue, endpoint);
                    endpoint.ConfigureConsumeTopology = false;
                    endpoint.ConfigureConsumer<SuspectRequestConsumer>(context, consumer => consumer.ConcurrentMessageLimit = 1);
                });
            }
        }

        bus.ConfigureEndpoints(context);
    }
}
