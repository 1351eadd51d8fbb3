using System.ComponentModel.DataAnnotations;

namespace Predictions.Messaging;

/// <summary>The work queue's limits: gateway and workers both declare the queue, so both need the same values.</summary>
public sealed class WorkQueueOptions
{
    public const string Section = "WorkQueue";

    /// <summary>Requests the queue holds at most; beyond it the broker refuses new ones (<c>reject-publish</c>).</summary>
    [Range(1, 100_000_000, ErrorMessage = "WorkQueue:MaxLength must be between 1 and 100000000.")]
    public int MaxLength { get; set; } = 100_000;

    /// <summary>Returns of a request to the work queue before it moves to the suspect queue, to be computed alone.</summary>
    [Range(1, 1_000, ErrorMessage = "WorkQueue:DeliveryLimit must be between 1 and 1000.")]
    public int DeliveryLimit { get; set; } = 10;

    /// <summary>
    /// Crashes beyond the first one prediction may cause before it is set aside in the poison queue uncomputed; also
    /// the suspect queue's delivery limit, the broker's backstop for what no inference journal traced.
    /// </summary>
    [Range(1, 100, ErrorMessage = "WorkQueue:SuspectDeliveryLimit must be between 1 and 100.")]
    public int SuspectDeliveryLimit { get; set; } = 2;

    /// <summary>
    /// Returns of a message to a queue that holds outcomes (on a cluster) or poisoned requests before the broker sets it aside in
    /// that queue's <c>_error</c> queue: only consumers that die holding it return it, each time with all they had prefetched.
    /// </summary>
    [Range(10, 10_000, ErrorMessage = "WorkQueue:OutcomeDeliveryLimit must be between 10 and 10000.")]
    public int OutcomeDeliveryLimit { get; set; } = 100;

    /// <summary>
    /// On a cluster, the nodes that hold each queue (<c>x-quorum-initial-group-size</c>); when set, the audit and
    /// status queues are quorum queues too. Choose it before the queues are first declared.
    /// </summary>
    [Range(1, 1_000,
        ErrorMessage = "WorkQueue:QuorumInitialGroupSize must be between 1 and 1000 (the number of nodes that hold each queue), or unset.")]
    public int? QuorumInitialGroupSize { get; set; }
}
