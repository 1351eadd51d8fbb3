using Predictions.Gateway.Auth;

namespace Predictions.Gateway.Api;

/// <summary>
/// The <c>type</c> of problems a client may want to tell apart by more than the status code: both 429s
/// mean "later", but for different reasons, and so do both 503s. Identifiers, not addresses (RFC 9457, section 3.1.1).
/// </summary>
public static class ProblemTypes
{
    /// <summary>This API key is over <c>Auth:RateLimit</c>.</summary>
    public const string RateLimited = PredictionRateLimit.ProblemType;

    /// <summary>The work queue is at <c>WorkQueue:MaxLength</c>: every client is turned away.</summary>
    public const string WorkQueueFull = "tag:predictions.gateway,2026:work-queue-full";

    /// <summary>
    /// The broker refused the request while the work queue had room, as a replicated queue does while it elects a
    /// leader: it was not stored and will not be computed, so sending it again cannot make it twice.
    /// </summary>
    public const string BrokerRefused = "tag:predictions.gateway,2026:broker-refused";

    /// <summary>
    /// The broker refuses this gateway's submissions altogether: it refused the gateway's declaration of the work queue or
    /// a publish to its exchange, because a <c>WorkQueue:*</c> setting differs from the queue's or the gateway's broker
    /// user lacks a permission. A configuration error for an operator to fix, not an outage, and answered at once:
    /// nothing was published, so nothing was stored. The detail quotes the broker; <c>/health/ready</c> fails meanwhile.
    /// </summary>
    public const string PublisherRefused = "tag:predictions.gateway,2026:publisher-refused";

    /// <summary>
    /// The request names a model version the catalog has but no worker serves: the broker has no lane for it. Nothing was
    /// stored. Its <c>errors.model</c> names the version.
    /// </summary>
    public const string ModelNotServed = "tag:predictions.gateway,2026:model-not-served";

    /// <summary>
    /// The results store (<c>ConnectionStrings:Results</c>) is locked, read-only, full or gone: a submission refused for it published nothing.
    /// </summary>
    public const string StoreUnavailable = "tag:predictions.gateway,2026:store-unavailable";
}
