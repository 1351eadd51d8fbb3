using System.ComponentModel.DataAnnotations;

namespace Predictions.Gateway.Api;

/// <summary>
/// The HTTP API's settings in the <c>Gateway</c> section; <see cref="Publishing.PublishingOptions"/> and
/// <see cref="Status.LongPollOptions"/> bind their own from the same section.
/// </summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>
    /// How long a submission waits on the results store (its Idempotency-Key's claim, its queued record) before it
    /// goes on without it: a lock held elsewhere would otherwise keep the client for SQLite's whole busy timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00", ErrorMessage = "Gateway:StoreTimeout must be a time span between 00:00:00.1 and 00:01:00.")]
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest <c>?wait=</c> a client may ask for; longer waits are cut to this.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Gateway:MaxWait must be a time span between 00:00:00 and 00:10:00.")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    [Range(256, 1_048_576, ErrorMessage = "Gateway:MaxRequestBodyBytes must be between 256 and 1048576.")]
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024;
}
