using MassTransit;
using Predictions.Contracts;
using RabbitMQ.Client;

namespace Predictions.ServiceDefaults.Messaging;

/// <summary>
/// The exchange and queue names an operator sees in the RabbitMQ UI and a direct publisher relies on.
/// They are public API: change one and every publisher and binding breaks.
/// </summary>
public static class Topology
{
    /// <summary>Fanout exchange every prediction request is published to.</summary>
    public const string PredictionRequests = "prediction-requests";

    /// <summary>Fanout exchange for <see cref="PredictionCompleted"/>.</summary>
    public const string PredictionCompleted = "prediction-completed";

    /// <summary>Fanout exchange for <see cref="PredictionFailed"/>.</summary>
    public const string PredictionFailed = "prediction-failed";

    /// <summary>Fanout exchange for <see cref="PredictionExpired"/>.</summary>
    public const string PredictionExpired = "prediction-expired";

    /// <summary>The work queue the workers compete on.</summary>
    public const string WorkQueue = "prediction-worker";

    /// <summary>The audit consumer's queue: every outcome, once.</summary>
    public const string AuditQueue = "prediction-audit";

    /// <summary>The gateway's queue of outcomes for its status store.</summary>
    public const string StatusQueue = "prediction-status";

    /// <summary>The gateway's copy of every request, so direct publishes show as queued too.</summary>
    public const string StatusRequestsQueue = "prediction-status-requests";

    /// <summary>
    /// Names the message exchanges, and makes every publisher of requests declare the work queue and its
    /// binding, so a request accepted before any worker ever ran waits in the queue instead of being dropped.
    /// </summary>
    public static void UsePredictionTopology(this IRabbitMqBusFactoryConfigurator cfg, WorkQueueOptions workQueue)
    {
        cfg.Message<PredictionRequest>(m => m.SetEntityName(PredictionRequests));
        cfg.Message<PredictionCompleted>(m => m.SetEntityName(PredictionCompleted));
        cfg.Message<PredictionFailed>(m => m.SetEntityName(PredictionFailed));
        cfg.Message<PredictionExpired>(m => m.SetEntityName(PredictionExpired));

        cfg.Publish<PredictionRequest>(p =>
        {
            p.ExchangeType = ExchangeType.Fanout;
            p.BindQueue(PredictionRequests, WorkQueue, queue => ConfigureWorkQueue(queue, workQueue));
        });
    }

    /// <summary>
    /// The work queue's arguments. Publishers and workers both declare the queue, so both must use these
    /// exact arguments or the broker refuses the second declaration.
    /// </summary>
    public static void ConfigureWorkQueue(IRabbitMqQueueConfigurator queue, WorkQueueOptions options)
    {
        queue.Durable = true;
        queue.AutoDelete = false;
        queue.SetQuorumQueue();
        queue.SetQueueArgument("x-max-length", options.MaxLength);
        queue.SetQueueArgument("x-overflow", "reject-publish");
    }
}
