using System.ComponentModel.DataAnnotations;

namespace Predictions.Gateway.Api;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>How long a submission waits for the broker to confirm it before the client gets 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00", ErrorMessage = "Gateway:PublishTimeout must be a time span between 00:00:00.1 and 00:01:00.")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a submission waits on the results store (its Idempotency-Key's claim, its queued record) before it
    /// goes on without it: a lock held elsewhere would otherwise keep the client for SQLite's whole busy timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00", ErrorMessage = "Gateway:StoreTimeout must be a time span between 00:00:00.1 and 00:01:00.")]
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest <c>?wait=</c> a client may ask for; longer waits are cut to this.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Gateway:MaxWait must be a time span between 00:00:00 and 00:10:00.")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a waiting request reads the store again. An outcome this gateway consumes wakes its waiters at
    /// once; one consumed by another gateway sharing the store wakes nobody here, so it is seen at the next recheck.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.01", "00:10:00", ErrorMessage = "Gateway:LongPollRecheck must be a time span between 00:00:00.01 and 00:10:00.")]
    public TimeSpan LongPollRecheck { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    [Range(256, 1_048_576, ErrorMessage = "Gateway:MaxRequestBodyBytes must be between 256 and 1048576.")]
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024;
}
