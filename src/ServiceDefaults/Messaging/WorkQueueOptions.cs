using System.ComponentModel.DataAnnotations;

namespace Predictions.ServiceDefaults.Messaging;

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
}
