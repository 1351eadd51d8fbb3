using System.ComponentModel.DataAnnotations;

namespace Predictions.Messaging.Health;

public sealed class EndpointHealthOptions
{
    public const string Section = "Health";

    /// <summary>
    /// How long a receive endpoint may be unable to consume (broker down, endpoint stuck) before the host
    /// reports itself not live, so that an orchestrator restarts it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Health:MaxEndpointDowntime must be between 00:00:01 and 1.00:00:00.")]
    public TimeSpan MaxEndpointDowntime { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How often the host checks that the broker still delivers to each endpoint that counts as consuming; an
    /// endpoint whose queue held ready messages at two checks in a row while it received none is restarted.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Health:StarvationCheckInterval must be between 00:00:01 and 01:00:00.")]
    public TimeSpan StarvationCheckInterval { get; set; } = TimeSpan.FromSeconds(10);
}
