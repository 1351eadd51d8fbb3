using System.ComponentModel.DataAnnotations;

namespace Predictions.Worker.Probes;

public sealed class ProbeOptions
{
    public const string Section = "Probes";

    /// <summary>
    /// Where the worker answers <c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c>, and nothing else.
    /// <c>http://+:9464/</c> listens on every interface.
    /// </summary>
    [Required(ErrorMessage = "Probes:Url is required, e.g. http://localhost:9464/.")]
    [RegularExpression(@"^http://[^/:]+:\d{1,5}/$", ErrorMessage = "Probes:Url must look like http://host:port/ (host + for every interface).")]
    public string Url { get; set; } = "http://localhost:9464/";
}
