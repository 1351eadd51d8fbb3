using System.ComponentModel.DataAnnotations;

namespace Predictions.Worker.Metadata;

public sealed class MetadataOptions : IValidatableObject
{
    public const string Section = "Metadata";

    [EnumDataType(typeof(MetadataSourceKind), ErrorMessage = "Metadata:Source must be Simulated or Http.")]
    public MetadataSourceKind Source { get; set; } = MetadataSourceKind.Simulated;

    /// <summary>How long the simulated external fetch takes; awaited, so it holds no thread.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Metadata:SimulatedLatency must be a time span between 00:00:00 and 01:00:00.")]
    public TimeSpan SimulatedLatency { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>For <c>Http</c>: the service's address; items are fetched from <c>{BaseUrl}/items/{itemId}</c>.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>For <c>Http</c>: how long one attempt may take before it is abandoned and retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00",
        ErrorMessage = "Metadata:AttemptTimeout must be a time span between 00:00:00.001 and 00:10:00.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// For <c>Http</c>: attempts after the first one for a transient failure (5xx, 408, 429, timeout, connection refused), with jittered back-off.
    /// </summary>
    [Range(1, 10, ErrorMessage = "Metadata:Retries must be between 1 and 10.")]
    public int Retries { get; set; } = 3;

    /// <summary>For <c>Http</c>: the back-off before the first retry; each further one waits about twice as long, jittered.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Metadata:RetryDelay must be a time span between 00:00:00 and 00:01:00.")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// For <c>Http</c>: how long an item's metadata is reused; concurrent requests for one item share one fetch. Zero turns the cache off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Metadata:CacheDuration must be a time span between 00:00:00 and 1.00:00:00.")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a request waits while the metadata service keeps failing for its item and answers other items: then
    /// the fault is the item's, and the request fails with the last error as its reason, freeing its place for others.
    /// A service that answers no one is down as a whole: its requests wait for it, however long (<c>Outages:MaxWait</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Metadata:ItemFailureBudget must be a time span between 00:00:01 and 00:10:00.")]
    public TimeSpan ItemFailureBudget { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Fault testing: the simulated source fails for this item with an exception nobody foresaw, as a bug would.
    /// Unset: never. Needs <c>Model:AllowFaultInjection</c>, like the model's own faults.
    /// </summary>
    public long? SimulatedFaultItemId { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Source == MetadataSourceKind.Http && BaseUrl is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
        {
            yield return new ValidationResult(
                "Metadata:BaseUrl is required when Metadata:Source is Http: an absolute http(s) URL such as http://metadata:8080/.",
                [nameof(BaseUrl)]);
        }
    }
}
