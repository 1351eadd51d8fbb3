using System.ComponentModel.DataAnnotations;

namespace Predictions.Messaging;

/// <summary>
/// The work queue's limits (section <c>WorkQueue</c>). The gateway and the workers both declare the queue,
/// and RabbitMQ refuses a declaration whose arguments differ, so both must be given the same values.
/// </summary>
public sealed class WorkQueueOptions
{
    public const string Section = "WorkQueue";

    /// <summary>
    /// Requests the queue holds at most. When it is full RabbitMQ refuses new ones (<c>reject-publish</c>):
    /// the gateway answers 429 and a direct publisher gets a negative confirm. Nothing accepted is dropped.
    /// </summary>
    [Range(1, 100_000_000, ErrorMessage = "WorkQueue:MaxLength must be between 1 and 100000000.")]
    public int MaxLength { get; set; } = 100_000;

    /// <summary>
    /// The safety net: a request returned to <c>prediction-worker</c> this many times (each worker death or
    /// shutdown returns every request it held) moves on to <c>prediction-worker_suspect</c>, to be computed
    /// alone. Requests that were in the model when a worker died go there at once; this catches the rest.
    /// </summary>
    [Range(1, 1_000, ErrorMessage = "WorkQueue:DeliveryLimit must be between 1 and 1000.")]
    public int DeliveryLimit { get; set; } = 10;

    /// <summary>
    /// Crashes beyond the first that one prediction may cause: once it was in the model each of 1 + this many times a
    /// worker died, the worker sets it aside in <c>prediction-worker_poison</c> uncomputed, whichever copy of it comes
    /// (each worker counts in its own inference journal). Also the delivery limit of <c>prediction-worker_suspect</c>,
    /// the broker's backstop for what no journal traced: deliveries beyond the first before it dead-letters there.
    /// </summary>
    [Range(1, 100, ErrorMessage = "WorkQueue:SuspectDeliveryLimit must be between 1 and 100.")]
    public int SuspectDeliveryLimit { get; set; } = 2;

    /// <summary>
    /// On a cluster, how many nodes hold a copy of each of the service's queues (<c>x-quorum-initial-group-size</c>):
    /// 3 on a three-node cluster. When it is set, the audit and status queues are quorum queues too, so a node that
    /// dies takes no message with it. Unset, RabbitMQ's default applies and the audit and status queues stay classic.
    /// RabbitMQ refuses to declare an existing queue with other arguments: choose it before the queues are first declared.
    /// </summary>
    [Range(1, 1_000, ErrorMessage = "WorkQueue:QuorumInitialGroupSize must be between 1 and 1000 (the number of nodes that hold each queue), or unset.")]
    public int? QuorumInitialGroupSize { get; set; }
}
