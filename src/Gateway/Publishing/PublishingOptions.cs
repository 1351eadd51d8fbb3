using System.ComponentModel.DataAnnotations;

namespace Predictions.Gateway.Publishing;

/// <summary>The publisher's setting in the <c>Gateway</c> section, which the HTTP API and the status store share.</summary>
public sealed class PublishingOptions
{
    public const string Section = "Gateway";

    /// <summary>How long a submission waits for the broker to confirm it before the client gets 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00", ErrorMessage = "Gateway:PublishTimeout must be a time span between 00:00:00.1 and 00:01:00.")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
