using System.ComponentModel.DataAnnotations;

namespace Predictions.Worker.Metadata;

public sealed class MetadataOptions
{
    public const string Section = "Metadata";

    /// <summary>How long the simulated external fetch takes; awaited, so it holds no thread.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Metadata:SimulatedLatency must be a time span between 00:00:00 and 01:00:00.")]
    public TimeSpan SimulatedLatency { get; set; } = TimeSpan.FromMilliseconds(500);
}
