using System.ComponentModel.DataAnnotations;

namespace Predictions.Storage;

/// <summary>The <c>Storage</c> section: what bounds every store's reads and writes.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// How long one read or write may take, waiting for a connection or a lock included, before it fails as an
    /// outage. Long enough for a batch under load; short enough that a stalled server frees its callers.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Storage:Timeout must be a time span between 00:00:01 and 00:10:00.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
