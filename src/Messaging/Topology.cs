using MassTransit;
using Predictions.Contracts;
using RabbitMQ.Client;

namespace Predictions.Messaging;

/// <summary>
/// The exchange and queue names an operator sees in the RabbitMQ UI and a direct publisher relies on.
/// They are public API: change one and every publisher and binding breaks.
/// </summary>
public static class Topology
{
    /// <summary>
    /// Fanout exchange direct publishers send prediction requests to: bound to the work queue and to
    /// <see cref="StatusRequestsQueue"/>, so the gateway sees them and shows them as queued.
    /// </summary>
    public const string PredictionRequests = "prediction-requests";

    /// <summary>
    /// Fanout exchange the gateway publishes its HTTP submissions to: bound to the work queue alone, since the
    /// gateway records them as queued itself and a copy for it would only cost the broker a delivery.
    /// </summary>
    public const string Submissions = "prediction-submissions";

    /// <summary>Fanout exchange for <see cref="PredictionCompleted"/>.</summary>
    public const string PredictionCompleted = "prediction-completed";

    /// <summary>Fanout exchange for <see cref="PredictionFailed"/>.</summary>
    public const string PredictionFailed = "prediction-failed";

    /// <summary>Fanout exchange for <see cref="PredictionExpired"/>.</summary>
    public const string PredictionExpired = "prediction-expired";

    /// <summary>The work queue the workers compete on.</summary>
    public const string WorkQueue = "prediction-worker";

    /// <summary>
    /// Requests that were in the model when a worker died, or were returned to the work queue too often:
    /// computed one at a time, so one that kills the worker cannot take others down with it.
    /// </summary>
    public const string SuspectQueue = "prediction-worker_suspect";

    /// <summary>
    /// Header set on a request moved to <see cref="SuspectQueue"/> because it was in the model when a worker died,
    /// saying so, for an operator who finds it in the suspect or poison queue.
    /// </summary>
    public const string SuspectHeader = "Predictions-Suspect";

    /// <summary>
    /// The name of the API key that submitted a request over HTTP: set by the gateway on the request, carried by the
    /// worker onto its outcome and stored with it, so the prediction is readable with that key alone however the
    /// gateway's own record of it fared. Requests published straight to RabbitMQ have none: any key reads them.
    /// </summary>
    public const string OwnerHeader = "Predictions-Owner";

    /// <summary>
    /// Header set on a request a worker set aside in <see cref="PoisonQueue"/> because it was in the model each time a
    /// worker died, as often as <see cref="WorkQueueOptions.SuspectDeliveryLimit"/> allows, saying so.
    /// </summary>
    public const string PoisonedHeader = "Predictions-Poisoned";

    /// <summary>
    /// Header set beside <see cref="PoisonedHeader"/>: how many times the prediction was in the model when a worker died,
    /// as a number. A replay from the poison queue that carries it gets as many tries again before it is set aside.
    /// </summary>
    public const string CrashesHeader = "Predictions-Crashes";

    /// <summary>Suspects that still killed the worker on every delivery: set aside here for an operator.</summary>
    public const string PoisonQueue = "prediction-worker_poison";

    /// <summary>
    /// The worker's copy of each request dead-lettered to <see cref="PoisonQueue"/>, to give it its outcome
    /// (failed) without computing it; the poison queue keeps the original for an operator.
    /// </summary>
    public const string PoisonedQueue = "prediction-worker_poisoned";

    /// <summary>The audit consumer's queue: every outcome, once.</summary>
    public const string AuditQueue = "prediction-audit";

    /// <summary>The gateway's queue of outcomes for its status store.</summary>
    public const string StatusQueue = "prediction-status";

    /// <summary>The gateway's copy of every request published to <see cref="PredictionRequests"/>, so direct publishes show as queued too.</summary>
    public const string StatusRequestsQueue = "prediction-status-requests";

    /// <summary>
    /// Names the message exchanges, and makes every MassTransit publisher of requests declare the work queue bound
    /// from <see cref="PredictionRequests"/>, so a request accepted before any worker ever ran waits in the queue
    /// instead of being dropped. The gateway publishes its HTTP submissions without MassTransit, and declares
    /// the same with <see cref="DeclareRequestTopologyAsync"/>.
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
    /// The work queue's arguments. Publishers and workers both declare the queue, so both must use these
    /// exact arguments or the broker refuses the second declaration. Every quorum queue gets
    /// <see cref="WorkQueueOptions.QuorumInitialGroupSize"/> members when it is set. RabbitMQ 3.x counts every return of a
    /// message (a worker's crash or shutdown returns all it prefetched), so the delivery limit is a loose
    /// safety net that hands such requests to <see cref="SuspectQueue"/>, not a verdict.
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

    /// <summary>
    /// What the gateway declares before it publishes requests to <see cref="Submissions"/> without MassTransit: the work
    /// queue as <see cref="UsePredictionTopology"/> declares it, bound from both request exchanges (durable fanouts).
    /// </summary>
    public static async Task DeclareRequestTopologyAsync(this IChannel channel, WorkQueueOptions options, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(WorkQueue, durable: true, exclusive: false, autoDelete: false, WorkQueueArguments(options), cancellationToken: cancellationToken);
        foreach (var source in new[] { Submissions, PredictionRequests })
        {
            await channel.ExchangeDeclareAsync(source, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(WorkQueue, source, routingKey: string.Empty, cancellationToken: cancellationToken);
        }
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

    /// <summary>
    /// A quorum queue's arguments, with <see cref="WorkQueueOptions.QuorumInitialGroupSize"/> members when it is set.
    /// Dead letters go to the fanout exchange named <paramref name="deadLetterTo"/>, which the worker declares and
    /// binds before it consumes; at-least-once, so the broker keeps a message until the target queue confirmed it.
    /// </summary>
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
