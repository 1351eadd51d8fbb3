using MassTransit;

namespace Predictions.Messaging.Stores;

/// <summary>
/// How consumers that write to SQLite gather messages: up to 32, for at most a few milliseconds, then one
/// transaction, so one disk flush covers the lot. One batch at a time: SQLite has one writer.
/// </summary>
public static class StoreBatch
{
    public const int MessageLimit = 32;

    /// <summary>
    /// Messages such an endpoint holds at once: a full batch gathering while one is written. No more: MassTransit gives
    /// the endpoint's channel as many dispatchers as this, and RabbitMQ.Client wakes every idle one at each delivery, so
    /// an endpoint sized for six batches of a hundred woke hundreds of tasks per outcome (docs/benchmarks.md).
    /// </summary>
    public const int InFlightLimit = 2 * MessageLimit;

    public static readonly TimeSpan TimeLimit = TimeSpan.FromMilliseconds(5);

    public static void Configure(BatchOptions options) =>
        options.SetMessageLimit(MessageLimit).SetTimeLimit(TimeLimit).SetConcurrencyLimit(1);
}
