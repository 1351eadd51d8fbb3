using System.ComponentModel.DataAnnotations;

namespace Predictions.Gateway.Auth;

/// <summary>
/// How fast each API key may call the prediction endpoints (section <c>Auth:RateLimit</c>): a token bucket
/// per key. Without keys nothing is limited; the full work queue still turns clients away.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Auth:RateLimit";

    /// <summary>Requests per second a key may make for as long as it likes.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Auth:RateLimit:PermitsPerSecond must be between 1 and 1000000.")]
    public int PermitsPerSecond { get; set; } = 100;

    /// <summary>Requests a key that has been quiet may make at once: the bucket's size.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Auth:RateLimit:Burst must be between 1 and 1000000.")]
    public int Burst { get; set; } = 200;
}
