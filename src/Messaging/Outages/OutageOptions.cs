using System.ComponentModel.DataAnnotations;

namespace Predictions.Messaging.Outages;

/// <summary>
/// How long a consumer holds a message, unacknowledged, while a dependency it needs (the metadata service, a store)
/// is down (section <c>Outages</c>). RabbitMQ closes the channel of a delivery left unacknowledged longer than its
/// <c>consumer_timeout</c> (30 minutes by default) and returns everything on it, and a quorum queue counts each such
/// return toward its delivery limit, as if the message had crashed its consumer. So a message whose outage lasts
/// longer goes back to the tail of its queue as a new message instead (<see cref="OutageReturn"/>), and waits again when it comes round.
/// </summary>
public sealed class OutageOptions
{
    public const string Section = "Outages";

    /// <summary>Longest wait for one delivery; well below the broker's <c>consumer_timeout</c>, which must exceed it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:20:00", ErrorMessage = "Outages:MaxWait must be a time span between 00:00:01 and 00:20:00: "
        + "well below the broker's consumer_timeout (30 minutes by default).")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(5);
}
