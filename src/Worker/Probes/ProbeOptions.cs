using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Predictions.Worker.Probes;

public sealed partial class ProbeOptions
{
    public const string Section = "Probes";

    /// <summary>
    /// Where the worker answers <c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c>.
    /// <c>http://+:9464/</c> listens on every interface.
    /// </summary>
    [Required(ErrorMessage = "Probes:Url is required, e.g. http://localhost:9464/.")]
    [RegularExpression(@"^http://[^/:]+:\d{1,5}/$", ErrorMessage = "Probes:Url must look like http://host:port/ (host + for every interface).")]
    public string Url { get; set; } = "http://localhost:9464/";

    // Methods, not properties: validation reads every property, and these only make sense once Url is valid.
    public string GetHost() => Address().Match(Url).Groups["host"].Value;

    public int GetPort() => int.Parse(Address().Match(Url).Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^http://(?<host>[^/:]+):(?<port>\d{1,5})/$")]
    private static partial Regex Address();
}
