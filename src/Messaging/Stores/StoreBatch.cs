using MassTransit;

namespace Predictions.Messaging.Stores;

/// <summary>
/// How consumers that write to SQLite gather messages: up to a hundred, for at most a few milliseconds,
/// then one transaction, so one disk flush covers the lot. One batch at a time: SQLite has one writer.
/// </summary>
public static class StoreBatch
{
    public const int MessageLimit = 100;

    public static readonly TimeSpan TimeLimit = TimeSpan.FromMilliseconds(5);

    public static void Configure(BatchOptions options) =>
        options.SetMessageLimit(MessageLimit).SetTimeLimit(TimeLimit).SetConcurrencyLimit(1);
}
