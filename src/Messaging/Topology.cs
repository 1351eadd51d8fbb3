using MassTransit;
using Predictions.Contracts;
using RabbitMQ.Client;

namespace Predictions.Messaging;

/// <summary>Exchange, queue and header names: public API (docs/amqp.md), so renaming one breaks publishers.</summary>
public static class Topology
{
    /// <summary>Direct publishers' door: bound to the work queue and to <see cref="StatusRequestsQueue"/>.</summary>
    public const string PredictionRequests = "prediction-requests";

    /// <summary>The gateway's door: bound to the work queue alone, as the gateway records its submissions itself.</summary>
    public const string Submissions = "prediction-submissions";

    /// <summary>
    /// Direct exchange to the model lanes, by <c>{name}.{version}</c> (<see cref="LaneNames"/>): the gateway publishes
    /// a request naming a model here, and a worker forwards one that came in by <see cref="PredictionRequests"/>.
    /// </summary>
    public const string Lanes = "prediction-lanes";

    /// <summary>
    /// Fanout exchange between the service's own hosts: the rollout state the gateways announce, and the requests for it of
    /// hosts that just started. Each host hears it on a queue of its own.
    /// </summary>
    public const string Rollouts = "model-rollouts";

    /// <summary>Fanout exchange on which workers report which versions they serve; each gateway hears it on a queue of its own.</summary>
    public const string Readiness = "model-readiness";

    /// <summary>Why the request goes to its lane's version (<c>Rollouts.RouteReasons</c>), set by whoever routed it.</summary>
    public const string RouteHeader = "Predictions-Route";

    /// <summary>Beside <see cref="RouteHeader"/>: the version chosen (<c>name:version</c>), when it is not the one the body names.</summary>
    public const string RoutedModelHeader = "Predictions-Routed-Model";

    /// <summary>What keeps a caller on one version of a split (canary, shadow): set by a publisher; the item id when absent.</summary>
    public const string StickyKeyHeader = "Predictions-Sticky-Key";

    /// <summary>On a shadow copy: the prediction it copies, whose caller never sees the copy's outcome.</summary>
    public const string ShadowOfHeader = "Predictions-Shadow-Of";

    /// <summary>Fanout exchange for <see cref="PredictionCompleted"/>.</summary>
    public const string PredictionCompleted = "prediction-completed";

    /// <summary>Fanout exchange for <see cref="PredictionFailed"/>.</summary>
    public const string PredictionFailed = "prediction-failed";

    /// <summary>Fanout exchange for <see cref="PredictionExpired"/>.</summary>
    public const string PredictionExpired = "prediction-expired";

    /// <summary>The work queue the workers compete on: the default model's lane.</summary>
    public const string WorkQueue = "prediction-worker";

    /// <summary>Requests in the model when a worker died, or returned too often: computed one at a time.</summary>
    public const string SuspectQueue = "prediction-worker_suspect";

    /// <summary>
    /// Set on a request moved to <see cref="SuspectQueue"/>, saying why: in the model when a worker died, or returned to the work
    /// queue too often.
    /// </summary>
    public const string SuspectHeader = "Predictions-Suspect";

    /// <summary>The API key that submitted a request over HTTP, carried onto its outcome so the status store keeps it.</summary>
    public const string OwnerHeader = "Predictions-Owner";

    /// <summary>Set on a request put in <see cref="PoisonQueue"/> uncomputed, having been in the model at every crash allowed.</summary>
    public const string PoisonedHeader = "Predictions-Poisoned";

    /// <summary>Beside <see cref="PoisonedHeader"/>: the crashes counted; a replay carrying it gets as many tries again.</summary>
    public const string CrashesHeader = "Predictions-Crashes";

    /// <summary>Suspects that still killed the worker on every delivery: set aside here for an operator.</summary>
    public const string PoisonQueue = "prediction-worker_poison";

    /// <summary>The worker's copy of each poison request, answered <c>failed</c> uncomputed; the original stays.</summary>
    public const string PoisonedQueue = "prediction-worker_poisoned";

    /// <summary>The audit consumer's queue: every outcome, once.</summary>
    public const string AuditQueue = "prediction-audit";

    /// <summary>The gateway's queue of outcomes for its status store.</summary>
    public const string StatusQueue = "prediction-status";

    /// <summary>The gateway's copy of every direct publish, so those show as queued too.</summary>
    public const string StatusRequestsQueue = "prediction-status-requests";

    /// <summary>
    /// Names the exchanges; every MassTransit publisher of requests declares the work queue, so a request accepted
    /// before any worker ran waits in it instead of being dropped.
    /// </summary>
    public static void UsePredictionTopology(this IRabbitMqBusFactoryConfigurator cfg, WorkQueueOptions workQueue)
    {
        cfg.Message<PredictionRequest>(m => m.SetEntityName(PredictionRequests));
        cfg.Message<PredictionCompleted>(m => m.SetEntityName(PredictionCompleted));
        cfg.Message<PredictionFailed>(m => m.SetEntityName(PredictionFailed));
        cfg.Message<PredictionExpired>(m => m.SetEntityName(PredictionExpired));
        cfg.ExcludePredictionOutcome();

        cfg.Publish<PredictionRequest>(p =>
        {
            p.ExchangeType = ExchangeType.Fanout;
            p.BindQueue(PredictionRequests, WorkQueue, queue => ConfigureWorkQueue(queue, workQueue));
        });
    }

    /// <summary>
    /// A queue of one host's own on <paramref name="exchange"/> (<see cref="Rollouts"/>, <see cref="Readiness"/>): exclusive
    /// to its connection and gone with it, so no host hears another's share and none is left behind.
    /// </summary>
    public static string HostQueue(string exchange, string host) => $"{exchange}.{host}";

    public static bool IsHostQueue(string queue) => queue.StartsWith(Rollouts + ".", StringComparison.Ordinal)
        || queue.StartsWith(Readiness + ".", StringComparison.Ordinal);

    /// <summary>
    /// Publishers and workers both declare the work queue, with these exact arguments or the broker refuses the
    /// second. Its delivery limit is a loose net (RabbitMQ 3.x counts every return), not a verdict.
    /// </summary>
    public static void ConfigureWorkQueue(IRabbitMqQueueConfigurator queue, WorkQueueOptions options) =>
        Declare(queue, WorkQueueArguments(options));

    /// <summary>The work queue's arguments (<see cref="ConfigureWorkQueue"/>), for a declaration without MassTransit.</summary>
    public static Dictionary<string, object?> WorkQueueArguments(WorkQueueOptions options)
    {
        var arguments = QuorumArguments(options, deadLetterTo: SuspectQueue);
        arguments["x-max-length"] = options.MaxLength;
        arguments["x-overflow"] = "reject-publish";
        arguments["x-delivery-limit"] = options.DeliveryLimit;
        return arguments;
    }

    /// <summary>The work queue bound from both request exchanges, and the lanes' exchange, for a publisher without MassTransit.</summary>
    public static async Task DeclareRequestTopologyAsync(
        this IChannel channel, WorkQueueOptions options, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(
            WorkQueue, durable: true, exclusive: false, autoDelete: false, WorkQueueArguments(options), cancellationToken: cancellationToken);
        foreach (var source in new[] { Submissions, PredictionRequests })
        {
            await channel.ExchangeDeclareAsync(source, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(WorkQueue, source, routingKey: string.Empty, cancellationToken: cancellationToken);
        }

        // The workers bind their lanes to it; a request naming a model no worker serves is returned, not dropped.
        await channel.ExchangeDeclareAsync(Lanes, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken);
    }

    /// <summary>The suspect queue's arguments: a small delivery limit, then the poison queue.</summary>
    public static void ConfigureSuspectQueue(IRabbitMqQueueConfigurator queue, WorkQueueOptions options)
    {
        var arguments = QuorumArguments(options, deadLetterTo: PoisonQueue);
        arguments["x-overflow"] = "reject-publish";
        arguments["x-delivery-limit"] = options.SuspectDeliveryLimit;
        Declare(queue, arguments);
    }

    /// <summary>The poison queue: durable, never consumed; an operator inspects and replays it.</summary>
    public static void ConfigurePoisonQueue(IRabbitMqQueueConfigurator queue, WorkQueueOptions options) =>
        Declare(queue, QuorumArguments(options, deadLetterTo: null));

    /// <summary>The worker's copy of the poison queue, answered <c>failed</c>: a quorum queue drained like an outcome queue.</summary>
    public static void ConfigurePoisonedQueue(IRabbitMqQueueConfigurator queue, WorkQueueOptions options) =>
        Declare(queue, DrainedQueueArguments(options, PoisonedQueue));

    /// <summary>The queues that hold outcomes, or the request copies the gateway records: replicated alike on a cluster.</summary>
    public static readonly IReadOnlySet<string> OutcomeQueues = new HashSet<string>([StatusQueue, StatusRequestsQueue, AuditQueue]);

    /// <summary>
    /// On a cluster, an outcome queue is a quorum queue that outlives a node, drained like the poisoned queue. On one node it
    /// stays a classic queue: nothing to replicate to, no Raft log to write, and no delivery limit at all.
    /// </summary>
    public static void ConfigureOutcomeQueue(IRabbitMqQueueConfigurator queue, string name, WorkQueueOptions options)
    {
        if (options.QuorumInitialGroupSize is not null)
        {
            Declare(queue, DrainedQueueArguments(options, name));
        }
    }

    // A quorum queue a consumer drains, with its own delivery limit (never RabbitMQ 4's default of 20 by accident); past it
    // the broker dead-letters, at least once, into the queue's _error exchange, which MassTransit makes with its _error queue
    // on the first fault (until then the broker keeps what it dead-letters). At-least-once dead-lettering needs
    // reject-publish, which without x-max-length refuses nothing.
    private static Dictionary<string, object?> DrainedQueueArguments(WorkQueueOptions options, string name)
    {
        var arguments = QuorumArguments(options, deadLetterTo: name + "_error");
        arguments["x-delivery-limit"] = options.OutcomeDeliveryLimit;
        arguments["x-overflow"] = "reject-publish";
        return arguments;
    }

    // At-least-once dead-lettering: the broker keeps a message until the target queue confirmed it.
    private static Dictionary<string, object?> QuorumArguments(WorkQueueOptions options, string? deadLetterTo)
    {
        var arguments = new Dictionary<string, object?> { ["x-queue-type"] = "quorum" };
        if (options.QuorumInitialGroupSize is { } members)
        {
            arguments["x-quorum-initial-group-size"] = members;
        }

        if (deadLetterTo is not null)
        {
            arguments["x-dead-letter-exchange"] = deadLetterTo;
            arguments["x-dead-letter-strategy"] = "at-least-once";
        }

        return arguments;
    }

    private static void Declare(IRabbitMqQueueConfigurator queue, Dictionary<string, object?> arguments)
    {
        queue.Durable = true;
        queue.AutoDelete = false;
        foreach (var (name, value) in arguments)
        {
            queue.SetQueueArgument(name, value);
        }
    }
}
